package io.ambidex.s3embedded.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A servlet filter in front of S3Proxy that lets the AWS Common Runtime's S3 client (the CRT, used
 * by the AWS SDKs' CRT-based clients, the AWS CLI's CRT transfer client and Mountpoint) upload in
 * parts, as it can to AWS, and lets any client upload a form-encoded body. It changes three things
 * and nothing else:
 *
 * <ul>
 *   <li><b>A body-less request that expects {@code 100-continue}</b> (the CRT sends {@code POST
 *       ?uploads} with {@code Expect: 100-continue} and {@code Content-Length: 0}): Jetty never
 *       sends the 100 for an empty body, so it closes the connection after the answer and, not
 *       knowing the answer's length in advance, delimits it by that close instead of chunking it.
 *       The CRT does not read such a body (apparently awslabs/aws-c-http issue 546: it stops at
 *       a {@code Connection: close}) and fails with "Upload Id not found". This filter holds such
 *       an answer (a short XML document: no {@code GET} or {@code HEAD} is held) and sends it
 *       with a {@code Content-Length}.
 *   <li><b>{@code x-amz-mp-object-size}</b>, the total size a client may declare when it
 *       completes a multipart upload, which S3Proxy refuses (501, "NotImplemented"): the filter
 *       accepts it and does <em>not check</em> it (hidden from S3Proxy's list of the request's
 *       headers, still there for the SigV4 signature, which reads the headers it names).
 *   <li><b>A body sent as {@code application/x-www-form-urlencoded}</b>: Jetty parses such a PUT's
 *       or POST's body into request parameters, S3Proxy then signed the object's content as query
 *       parameters and refused the upload (403, "SignatureDoesNotMatch"). The filter gives
 *       S3Proxy the query's parameters only, so the body stays the object's content.
 * </ul>
 *
 * <p>Not API: installed by {@code EmbeddedS3}.
 */
public final class ClientCompatibility implements Filter {
  /** The header S3Proxy 4.1.0 refuses and this filter accepts without checking it. */
  static final String MP_OBJECT_SIZE = "x-amz-mp-object-size";

  /** Creates the filter. */
  public ClientCompatibility() {}

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest http)
        || !(response instanceof HttpServletResponse answer)) {
      chain.doFilter(request, response);
      return;
    }
    HttpServletRequest forwarded = withoutObjectSize(new QueryParameters(http));
    if (waitsForContinueWithoutBody(http)) {
      SizedResponse sized = new SizedResponse(answer);
      chain.doFilter(forwarded, sized);
      sized.send();
    } else {
      chain.doFilter(forwarded, response);
    }
  }

  private static boolean waitsForContinueWithoutBody(HttpServletRequest r) {
    return r.getContentLengthLong() == 0
        && "100-continue".equalsIgnoreCase(r.getHeader("Expect"))
        && !"GET".equals(r.getMethod())
        && !"HEAD".equals(r.getMethod());
  }

  private static HttpServletRequest withoutObjectSize(HttpServletRequest r) {
    if (r.getHeader(MP_OBJECT_SIZE) == null) {
      return r;
    }
    return new HttpServletRequestWrapper(r) {
      @Override
      public Enumeration<String> getHeaderNames() {
        List<String> names = Collections.list(super.getHeaderNames());
        names.removeIf(MP_OBJECT_SIZE::equalsIgnoreCase);
        return Collections.enumeration(names);
      }
    };
  }

  /*
   * The request's parameters are its query's and nothing else. Jetty also parses the body of a
   * PUT or POST sent as application/x-www-form-urlencoded into parameters, so S3Proxy, which reads
   * the request's parameters, signed the object's content as if it were query parameters and
   * answered 403 SignatureDoesNotMatch to a correctly signed upload (and the parse consumed the
   * body). Decoded as Jetty decodes a query: %XX as UTF-8, '+' as a space; a malformed escape is
   * kept as written.
   */
  private static final class QueryParameters extends HttpServletRequestWrapper {
    private final Map<String, String[]> parameters;

    QueryParameters(HttpServletRequest r) {
      super(r);
      Map<String, List<String>> values = new LinkedHashMap<>();
      String query = r.getQueryString();
      if (query != null) {
        for (String pair : query.split("&")) {
          if (pair.isEmpty()) {
            continue;
          }
          int eq = pair.indexOf('=');
          String name = decoded(eq < 0 ? pair : pair.substring(0, eq));
          String value = eq < 0 ? "" : decoded(pair.substring(eq + 1));
          values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
      }
      Map<String, String[]> map = new LinkedHashMap<>();
      values.forEach((name, list) -> map.put(name, list.toArray(String[]::new)));
      this.parameters = Collections.unmodifiableMap(map);
    }

    private static String decoded(String s) {
      try {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return s;
      }
    }

    @Override
    public @Nullable String getParameter(String name) {
      String[] values = parameters.get(name);
      return values == null ? null : values[0];
    }

    @Override
    public Map<String, String[]> getParameterMap() {
      return parameters;
    }

    @Override
    public Enumeration<String> getParameterNames() {
      return Collections.enumeration(parameters.keySet());
    }

    @Override
    public String @Nullable [] getParameterValues(String name) {
      String[] values = parameters.get(name);
      return values == null ? null : values.clone();
    }
  }

  /* Holds what S3Proxy writes, then sends it with its length. */
  private static final class SizedResponse extends HttpServletResponseWrapper {
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private final ServletOutputStream out =
        new ServletOutputStream() {
          @Override
          public boolean isReady() {
            return true;
          }

          @Override
          public void setWriteListener(WriteListener listener) {
            throw new IllegalStateException(
                "The embedded store answers a body-less 100-continue request synchronously");
          }

          @Override
          public void write(int b) {
            held.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            held.write(b, off, len);
          }
        };
    private @Nullable PrintWriter writer;

    SizedResponse(HttpServletResponse response) {
      super(response);
    }

    @Override
    public ServletOutputStream getOutputStream() {
      return out;
    }

    @Override
    public PrintWriter getWriter() {
      PrintWriter w = writer;
      if (w == null) {
        String charset = getCharacterEncoding();
        Charset encoding = charset != null ? Charset.forName(charset) : StandardCharsets.UTF_8;
        w = new PrintWriter(new OutputStreamWriter(out, encoding));
        writer = w;
      }
      return w;
    }

    @Override
    public void flushBuffer() {
      // held until send(): flushing would commit the answer without its length
    }

    @Override
    public void resetBuffer() {
      super.resetBuffer();
      held.reset();
    }

    @Override
    public void reset() {
      super.reset();
      held.reset();
    }

    void send() throws IOException {
      PrintWriter w = writer;
      if (w != null) {
        w.flush();
      }
      HttpServletResponse response = (HttpServletResponse) getResponse();
      if (response.isCommitted()) {
        return; // answered through sendError, which S3Proxy's own errors do not use
      }
      response.setContentLength(held.size());
      held.writeTo(response.getOutputStream());
    }
  }
}
