package org.bookcreator.server;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Enumeration;

/**
 * {@code GET /metrics}: the Prometheus client's scrape handler (format negotiation, {@code name[]}
 * filters, gzip) over a Javalin exchange.
 */
final class MetricsEndpoint implements Handler {
  private final PrometheusScrapeHandler scrape;

  MetricsEndpoint(PrometheusScrapeHandler scrape) {
    this.scrape = scrape;
  }

  @Override
  public void handle(Context ctx) throws IOException {
    scrape.handleRequest(new Exchange(ctx));
  }

  private record Exchange(Context ctx)
      implements PrometheusHttpExchange, PrometheusHttpRequest, PrometheusHttpResponse {
    @Override
    public PrometheusHttpRequest getRequest() {
      return this;
    }

    @Override
    public PrometheusHttpResponse getResponse() {
      return this;
    }

    @Override
    public String getQueryString() {
      return ctx.queryString();
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
      return ctx.req().getHeaders(name);
    }

    @Override
    public String getMethod() {
      return ctx.req().getMethod();
    }

    @Override
    public String getRequestPath() {
      return ctx.path();
    }

    @Override
    public void setHeader(String name, String value) {
      ctx.header(name, value);
    }

    @Override
    public OutputStream sendHeadersAndGetBody(int statusCode, int contentLength)
        throws IOException {
      ctx.status(statusCode);
      if (contentLength > 0) ctx.res().setContentLength(contentLength);
      return ctx.res().getOutputStream();
    }

    @Override
    public void handleException(IOException e) throws IOException {
      throw e;
    }

    @Override
    public void handleException(RuntimeException e) {
      throw e;
    }

    @Override
    public void close() {}
  }
}
