package org.bookcreator.providers;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How an adapter reaches a provider over HTTP (OpenAI-compatible servers, Anthropic). The defaults
 * live with each adapter ({@link Providers#defaultBaseUrl}, {@link Providers#defaultModel}).
 *
 * @param provider the provider's name, as in {@code provider} and the routing rules
 * @param baseUrl where the provider's API is, e.g. {@code https://api.openai.com/v1} or {@code
 *     http://127.0.0.1:11434/v1}
 * @param apiKey sent with every call when present (in the provider's authentication header); a
 *     secret: never in a message or {@link #toString()}
 * @param defaultModel the model of requests that ask for {@code default}
 * @param maxConcurrency calls in flight at most; others wait
 */
public record HttpProviderSettings(
    String provider,
    URI baseUrl,
    Optional<String> apiKey,
    String defaultModel,
    int maxConcurrency) {

  /**
   * @throws IllegalArgumentException naming every problem (never the key): a base URL that is no
   *     absolute http(s) URL, an empty model, fewer than one call in flight
   */
  public HttpProviderSettings {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(apiKey, "apiKey");
    List<String> problems = new ArrayList<>();
    String scheme = baseUrl == null ? null : baseUrl.getScheme();
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https")))
      problems.add("base URL must be an http(s) URL, got '" + baseUrl + "'");
    if (defaultModel == null || defaultModel.isBlank())
      problems.add("default model must not be empty");
    if (maxConcurrency < 1)
      problems.add("max concurrency must be at least 1, was " + maxConcurrency);
    if (!problems.isEmpty())
      throw new IllegalArgumentException(provider + ": " + String.join("; ", problems));
  }

  /**
   * These settings, checked to be {@code expected}'s.
   *
   * @throws IllegalArgumentException when they are another provider's
   */
  public HttpProviderSettings requireProvider(String expected) {
    if (!provider.equals(expected))
      throw new IllegalArgumentException("expected " + expected + " settings, got " + this);
    return this;
  }

  /** The URL of one of the API's endpoints: {@code path} after the base URL's own path. */
  public URI endpoint(String path) {
    return URI.create(baseUrl.toString().replaceAll("/+$", "") + path);
  }

  /** The settings as messages show them: the key is only said to be there. */
  @Override
  public String toString() {
    return provider
        + " at "
        + baseUrl
        + (apiKey.isPresent() ? " with a key" : " without a key")
        + ", default model "
        + defaultModel
        + ", at most "
        + maxConcurrency
        + " call(s) in flight";
  }
}
