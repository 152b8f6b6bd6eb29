package dev.greenlet.spring.web;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * The response a request greenlet writes to: before the first byte of the body, a flush, an
 * error or a redirect reaches the server's response, it calls {@link Claim#beginResponse()},
 * which tells the shutdown the request has begun answering, or fails the write if the shutdown
 * has already killed the request. So a request the shutdown names as killed has written nothing,
 * and its server thread can still answer 503 in its place.
 */
final class RespondingResponse extends HttpServletResponseWrapper {

    /** Decides, once, whether the request may begin its response. */
    interface Claim {
        /** @throws IOException if the request was killed at shutdown before it began its response */
        void beginResponse() throws IOException;
    }

    private final Claim claim;
    private volatile boolean begun;
    private ServletOutputStream stream;
    private PrintWriter writer;

    RespondingResponse(HttpServletResponse response, Claim claim) {
        super(response);
        this.claim = claim;
    }

    private void begin() throws IOException {
        if (!begun) {
            claim.beginResponse();
            begun = true;
        }
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (stream == null) {
            ServletOutputStream out = super.getOutputStream();
            stream = new ServletOutputStream() {
                @Override
                public void write(int b) throws IOException {
                    begin();
                    out.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    begin();
                    out.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    begin();
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    begin();
                    out.close();
                }

                @Override
                public boolean isReady() {
                    return out.isReady();
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    out.setWriteListener(listener);
                }
            };
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) {
            PrintWriter out = super.getWriter();
            writer = new PrintWriter(new Writer() {
                @Override
                public void write(char[] cbuf, int off, int len) throws IOException {
                    begin();
                    out.write(cbuf, off, len);
                    if (out.checkError()) {
                        throw new IOException("the response's writer failed");
                    }
                }

                @Override
                public void flush() throws IOException {
                    begin();
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    begin();
                    out.close();
                }
            });
        }
        return writer;
    }

    @Override
    public void flushBuffer() throws IOException {
        begin();
        super.flushBuffer();
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        begin();
        super.sendError(sc, msg);
    }

    @Override
    public void sendError(int sc) throws IOException {
        begin();
        super.sendError(sc);
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        begin();
        super.sendRedirect(location);
    }
}
