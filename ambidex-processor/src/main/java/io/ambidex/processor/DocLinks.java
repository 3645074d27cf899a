package io.ambidex.processor;

import com.sun.source.doctree.DocCommentTree;
import com.sun.source.doctree.ReferenceTree;
import com.sun.source.util.DocTreePath;
import com.sun.source.util.DocTreePathScanner;
import com.sun.source.util.DocTrees;
import com.sun.source.util.TreePath;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;

/**
 * Makes a doc comment copied from a core into a facade resolve there: the types its references
 * name by simple name ({@code {@link X}}, {@code {@linkplain X#m}}, {@code @throws X}, {@code @see
 * X}, {@code {@value X#F}}) are resolved where the comment was written, through the compiler's
 * {@link DocTrees}, and written as the facade's {@link TypeRenderer} names them (imported when
 * the simple name is free, qualified otherwise). Without it a link to a type the core imports
 * breaks in the facade, whose imports are its own, and javadoc's doclint fails the library's
 * build on the generated source.
 *
 * <p>Outside javac (another compiler, or a comment read from a class file) nothing is resolved
 * and the comment is copied as written.
 */
final class DocLinks {
  private final DocTrees trees;

  private DocLinks(DocTrees trees) {
    this.trees = trees;
  }

  /** Returns the resolver for this compilation, or null where the compiler has no doc trees. */
  static DocLinks of(ProcessingEnvironment env) {
    try {
      return new DocLinks(DocTrees.instance(env));
    } catch (IllegalArgumentException | LinkageError notJavac) {
      return null;
    }
  }

  /**
   * Returns {@code comment}, the doc comment of {@code owner} as {@code
   * Elements.getDocComment} gives it, with each simple type name of its references replaced by
   * {@code name} of the type it resolves to.
   */
  String qualify(Element owner, String comment, Function<TypeElement, String> name) {
    if (comment == null || comment.isBlank()) {
      return comment;
    }
    TreePath path = trees.getPath(owner);
    DocCommentTree doc = path == null ? null : trees.getDocCommentTree(path);
    if (doc == null) {
      return comment;
    }
    Map<String, TypeElement> resolvedNames = new LinkedHashMap<>();
    new DocTreePathScanner<Void, Void>() {
      @Override
      public Void visitReference(ReferenceTree reference, Void unused) {
        String signature = reference.getSignature();
        int member = signature.indexOf('#');
        String type = member < 0 ? signature : signature.substring(0, member);
        if (!type.isEmpty() && type.indexOf('.') < 0 && !resolvedNames.containsKey(type)) {
          TypeElement resolved = typeOf(trees.getElement(getCurrentPath()));
          if (resolved != null && resolved.getSimpleName().contentEquals(type)) {
            resolvedNames.put(type, resolved);
          }
        }
        return super.visitReference(reference, unused);
      }
    }.scan(new DocTreePath(path, doc), null);
    String out = comment;
    for (Map.Entry<String, TypeElement> resolved : resolvedNames.entrySet()) {
      String replacement = name.apply(resolved.getValue());
      Matcher m =
          Pattern.compile(
                  "(\\{@(?:link|linkplain|value)\\s+|@(?:throws|exception|see)\\s+)"
                      + Pattern.quote(resolved.getKey())
                      + "(?![\\w.$])")
              .matcher(out);
      out = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + replacement));
    }
    return out;
  }

  /* The type a reference names: the element itself, or the type that declares the member. */
  private static TypeElement typeOf(Element element) {
    for (Element e = element; e != null; e = e.getEnclosingElement()) {
      if (e instanceof TypeElement type) {
        return type;
      }
    }
    return null;
  }
}
