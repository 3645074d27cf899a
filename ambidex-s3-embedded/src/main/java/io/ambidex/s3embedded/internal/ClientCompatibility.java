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
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A servlet filter in front of S3Proxy that lets the AWS Common Runtime's S3 client (the CRT, used
 * by the AWS SDKs' CRT-based clients, the AWS CLI's CRT transfer client and Mountpoint) upload in
 * parts, as it can to AWS. It changes two things and nothing else:
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
    HttpServletRequest forwarded = withoutObjectSize(http);
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
