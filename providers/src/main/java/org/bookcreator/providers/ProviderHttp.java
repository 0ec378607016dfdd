package org.bookcreator.providers;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.BiFunction;
import org.bookcreator.core.llm.ErrorType;
import org.bookcreator.core.llm.LlmResult;

/**
 * What the HTTP adapters share: one bounded exchange with transport failures classified, and the
 * retry hint.
 */
public final class ProviderHttp {
  /**
   * Carries the ledger's id of each request (OpenAI echoes it in its request logs; others ignore
   * it), so a provider's records can be matched with the ledger row by row.
   */
  public static final String REQUEST_ID_HEADER = "X-Client-Request-Id";

  private ProviderHttp() {}

  /**
   * Sends {@code request} with at most as many calls in flight as {@code limit} allows and hands
   * the response to {@code classify} with the call's latency. Transport failures never escape: a
   * timeout is {@code timeout}, a refused, reset or slow-to-open connection is {@code connection},
   * both retryable.
   */
  public static LlmResult exchange(
      HttpClient http,
      HttpRequest request,
      Semaphore limit,
      String model,
      Duration timeout,
      BiFunction<HttpResponse<String>, Duration, LlmResult> classify) {
    String host = request.uri().getHost();
    try {
      limit.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new LlmResult.Retryable(
          ErrorType.CONNECTION,
          "interrupted before the call",
          model,
          Optional.empty(),
          Duration.ZERO);
    }
    long start = System.nanoTime();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException e) {
      return new LlmResult.Retryable(
          ErrorType.CONNECTION,
          "could not connect to " + host + " in time",
          model,
          Optional.empty(),
          since(start));
    } catch (HttpTimeoutException e) {
      return new LlmResult.Retryable(
          ErrorType.TIMEOUT,
          "no response within " + timeout.toSeconds() + " s",
          model,
          Optional.empty(),
          since(start));
    } catch (IOException e) {
      return new LlmResult.Retryable(
          ErrorType.CONNECTION,
          "connection to "
              + host
              + " failed: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()),
          model,
          Optional.empty(),
          since(start));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new LlmResult.Retryable(
          ErrorType.CONNECTION,
          "interrupted during the call",
          model,
          Optional.empty(),
          since(start));
    } finally {
      limit.release();
    }
    return classify.apply(response, since(start));
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** Retry-After in seconds or as an HTTP date, or OpenAI's retry-after-ms. */
  public static Optional<Duration> retryAfter(HttpResponse<?> response) {
    Optional<String> ms = response.headers().firstValue("retry-after-ms");
    if (ms.isPresent()) {
      try {
        return Optional.of(Duration.ofMillis((long) Double.parseDouble(ms.get().strip())));
      } catch (NumberFormatException ignored) {
        // fall through to Retry-After
      }
    }
    Optional<String> ra = response.headers().firstValue("retry-after");
    if (ra.isEmpty()) return Optional.empty();
    String v = ra.get().strip();
    try {
      return Optional.of(Duration.ofMillis((long) (Double.parseDouble(v) * 1000)));
    } catch (NumberFormatException e) {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(Instant.now(), at);
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException ignored) {
        return Optional.empty();
      }
    }
  }
}
