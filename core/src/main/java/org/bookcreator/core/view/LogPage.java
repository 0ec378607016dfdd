package org.bookcreator.core.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.bookcreator.core.store.StoredLog;
import org.bookcreator.core.support.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A page of log records as stored (each its JSON object plus {@code id}); {@code nextBefore} is the
 * id to ask for the next (older) page with, null on the last page.
 */
public record LogPage(
    List<JsonNode> items, @JsonInclude(JsonInclude.Include.ALWAYS) Long nextBefore) {
  public LogPage {
    items = List.copyOf(items);
  }

  static LogPage of(List<StoredLog> page, int limit) {
    List<JsonNode> items =
        page.stream()
            .map(
                l -> {
                  ObjectNode o;
                  try {
                    o = (ObjectNode) Json.parse(l.line().json());
                  } catch (RuntimeException e) {
                    o = Json.object().put("message", l.line().json());
                  }
                  return (JsonNode) o.put("id", l.id());
                })
            .toList();
    return new LogPage(
        items, page.size() == limit && !page.isEmpty() ? page.get(page.size() - 1).id() : null);
  }
}
