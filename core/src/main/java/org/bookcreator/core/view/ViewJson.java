package org.bookcreator.core.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.Instant;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;

/**
 * How the read models look as JSON, in one place: the API's bodies, the command line's {@code
 * --json} and the dashboard all write views through this, so one thing has one shape everywhere.
 * Names are snake_case; absent values are left out; money is an exact decimal string ({@code
 * "0.000123"}, never a float); times are ISO-8601 UTC strings. Thread-safe.
 */
public final class ViewJson {
  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .changeDefaultPropertyInclusion(
              incl -> incl.withValueInclusion(JsonInclude.Include.NON_ABSENT))
          .addModule(
              new SimpleModule("book-creator-views")
                  .addSerializer(BigDecimal.class, new PlainDecimal())
                  .addSerializer(Instant.class, new IsoInstant()))
          .build();

  private ViewJson() {}

  /** The view as one line of JSON. */
  public static String write(Object view) {
    return MAPPER.writeValueAsString(view);
  }

  /** The view as indented JSON, for people reading a terminal. */
  public static String writePretty(Object view) {
    return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(view);
  }

  /** The view as a tree (to embed it in a larger document). */
  public static JsonNode tree(Object view) {
    return MAPPER.valueToTree(view);
  }

  private static final class PlainDecimal extends ValueSerializer<BigDecimal> {
    @Override
    public void serialize(BigDecimal value, JsonGenerator gen, SerializationContext ctxt) {
      gen.writeString(value.toPlainString());
    }
  }

  private static final class IsoInstant extends ValueSerializer<Instant> {
    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializationContext ctxt) {
      gen.writeString(value.toString());
    }
  }
}
