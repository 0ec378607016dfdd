package org.bookcreator.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bookcreator.notify.TestNotifications.firing;
import static org.bookcreator.notify.TestNotifications.providerDown;
import static org.bookcreator.notify.TestNotifications.resolved;
import static org.bookcreator.notify.TestNotifications.runFailed;

import java.util.List;
import org.bookcreator.core.alert.Notifier;
import org.junit.jupiter.api.Test;

/**
 * What every notifier does, whatever it talks to. Each adapter's test extends this with the real
 * receiver it delivers to (an HTTP server, an SMTP server, a desktop notification service).
 */
abstract class NotifierContractTest {
  /** The notifier under test, pointed at this test's receiver. */
  abstract Notifier notifier() throws Exception;

  /**
   * What the receiver got, one text per message as a person or program there would read it, waiting
   * a few seconds for at least {@code count} of them.
   */
  abstract List<String> received(int count) throws Exception;

  @Test
  void aFiringNotification_isDelivered_withEveryAlertsNameSummaryAndRunbook() throws Exception {
    Notifier notifier = notifier();

    Notifier.Delivery outcome =
        notifier.deliver(firing("ntf_contract1", runFailed("run_a1"), runFailed("run_b2")));

    assertThat(outcome).isEqualTo(new Notifier.Delivery.Delivered());
    assertThat(received(1))
        .singleElement()
        .asString()
        .containsIgnoringCase("firing")
        .contains("RunFailed")
        .contains("Run run_a1 failed in stage outline")
        .contains("Run run_b2 failed in stage outline")
        .contains("docs/runbooks/run-failed.md");
  }

  @Test
  void aResolvedNotification_saysResolved() throws Exception {
    Notifier notifier = notifier();

    Notifier.Delivery outcome = notifier.deliver(resolved("ntf_contract2", providerDown("openai")));

    assertThat(outcome).isEqualTo(new Notifier.Delivery.Delivered());
    assertThat(received(1))
        .singleElement()
        .asString()
        .containsIgnoringCase("resolved")
        .doesNotContainIgnoringCase("firing")
        .contains("ProviderDown")
        .contains("Provider openai is down");
  }
}
