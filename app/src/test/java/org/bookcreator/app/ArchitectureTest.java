package org.bookcreator.app;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Path;
import org.bookcreator.providers.HttpProviderSettings;
import org.bookcreator.providers.Providers;
import org.bookcreator.providers.anthropic.AnthropicLlmClient;
import org.bookcreator.providers.openai.OpenAiLlmClient;
import org.bookcreator.providers.simulated.SimulatedLlmClient;
import org.bookcreator.providers.simulated.SimulationConfig;
import org.bookcreator.store.postgres.PostgresDatabase;
import org.bookcreator.store.postgres.PostgresStore;
import org.bookcreator.store.sqlite.SqliteStore;
import org.junit.jupiter.api.Test;

/** The arrows of docs/architecture.md, checked rather than hoped for. */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          // Test classes from other modules' test jars (core's store contract suite) too.
          .withImportOption(location -> !location.contains("-tests.jar"))
          .importPackages("org.bookcreator");

  @Test
  void core_importsNoAdapterAndNotTheApp() {
    noClasses()
        .that()
        .resideInAPackage("org.bookcreator.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.bookcreator.store..",
            "org.bookcreator.providers..",
            "org.bookcreator.docparse..",
            "org.bookcreator.notify..",
            "org.bookcreator.server..",
            "org.bookcreator.app..")
        .check(CLASSES);
  }

  @Test
  void telemetry_importsNothingOfOurs() {
    noClasses()
        .that()
        .resideInAPackage("org.bookcreator.telemetry..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.bookcreator.core..",
            "org.bookcreator.store..",
            "org.bookcreator.providers..",
            "org.bookcreator.docparse..",
            "org.bookcreator.server..",
            "org.bookcreator.app..")
        .check(CLASSES);
  }

  @Test
  void adapters_doNotImportEachOther_norTheApp() {
    noClasses()
        .that()
        .resideInAPackage("org.bookcreator.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.bookcreator.providers..", "org.bookcreator.app..")
        .check(CLASSES);
    noClasses()
        .that()
        .resideInAPackage("org.bookcreator.providers..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.bookcreator.store..", "org.bookcreator.docparse..", "org.bookcreator.app..")
        .check(CLASSES);
    noClasses()
        .that()
        .resideInAPackage("org.bookcreator.server..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.bookcreator.store..",
            "org.bookcreator.providers..",
            "org.bookcreator.docparse..",
            "org.bookcreator.app..")
        .check(CLASSES);
    noClasses()
        .that()
        .resideInAPackage("org.bookcreator.docparse..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.bookcreator.store..", "org.bookcreator.providers..", "org.bookcreator.app..")
        .check(CLASSES);
  }

  @Test
  void notifiers_importOnlyTheCore_andAloneSpeakSmtp() {
    noClasses()
        .that()
        .resideInAPackage("org.bookcreator.notify..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "org.bookcreator.store..",
            "org.bookcreator.providers..",
            "org.bookcreator.docparse..",
            "org.bookcreator.server..",
            "org.bookcreator.app..")
        .check(CLASSES);
    noClasses()
        .that()
        .resideOutsideOfPackage("org.bookcreator.notify..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("jakarta.mail..", "org.eclipse.angus..")
        .because("mail is the e-mail notifier's business; the rest sees a Notifier")
        .check(CLASSES);
  }

  @Test
  void core_doesNotTalkToTheNetworkDirectly() {
    noClasses()
        .that()
        .resideInAPackage("org.bookcreator.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.net.http..")
        .check(CLASSES);
  }

  @Test
  void onlyTheStore_usesJdbc() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.bookcreator.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "javax.sql..", "org.sqlite..", "org.postgresql..")
        .because("the store is the one adapter of the database; everyone else goes through Store")
        .check(CLASSES);
  }

  @Test
  void onlyTheApp_wiresTheTelemetrySdk() {
    noClasses()
        .that()
        .resideOutsideOfPackages("org.bookcreator.app..", "org.bookcreator.telemetry.sdk..")
        .should()
        .dependOnClassesThat(
            resideInAnyPackage(
                    "org.bookcreator.telemetry.sdk..",
                    "io.opentelemetry.sdk..",
                    "io.opentelemetry.exporter..",
                    "io.prometheus..",
                    "ch.qos.logback..")
                .and(not(servedScrapes())))
        .because(
            "the core, the adapters and the telemetry API record through the OpenTelemetry API,"
                + " SLF4J and org.bookcreator.telemetry; the composition root alone wires the SDK,"
                + " the exporters and Logback")
        .check(CLASSES);
    noClasses()
        .that()
        .resideOutsideOfPackages(
            "org.bookcreator.app..", "org.bookcreator.telemetry.sdk..", "org.bookcreator.server..")
        .should()
        .dependOnClassesThat(servedScrapes())
        .because("only the HTTP server serves /metrics")
        .check(CLASSES);
  }

  @Test
  void onlyTheServer_usesTheWebFramework() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.bookcreator.server..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.javalin..", "org.eclipse.jetty..", "jakarta.servlet..")
        .because("HTTP is the server module's business; the rest calls ApiServer")
        .check(CLASSES);
  }

  /**
   * The Prometheus client's HTTP exchange types: the server answers {@code /metrics} with the
   * scrape handler the app built (format negotiation, name filters, gzip). Serving it is not wiring
   * it.
   */
  private static DescribedPredicate<JavaClass> servedScrapes() {
    return resideInAPackage("io.prometheus.metrics.exporter.common..");
  }

  /**
   * The server starts, cancels and restarts runs through the run service and shows them through the
   * read models; nothing of the pipeline package is its business.
   */
  @Test
  void server_doesNotReachIntoThePipeline() {
    noClasses()
        .that()
        .resideInAPackage("org.bookcreator.server..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.bookcreator.core.pipeline..")
        .because(
            "the server calls the use cases (core.ops.RunService) and the read models (core.view);"
                + " the orchestrator, the workers and the agents are the pipeline's own business")
        .check(CLASSES);
  }

  @Test
  void onlyTheCompositionRoot_opensTheStore() {
    noClasses()
        .that()
        .doNotBelongToAnyOf(Engine.class)
        .should()
        .callMethod(SqliteStore.class, "open", Path.class, boolean.class)
        .orShould()
        .callMethod(PostgresStore.class, "open", PostgresDatabase.Settings.class, boolean.class)
        .because("every command and serve role gets its store from the composition root (Engine)")
        .check(CLASSES);
  }

  @Test
  void onlyTheProvidersFactory_constructsModelClients() {
    noClasses()
        .that()
        .doNotBelongToAnyOf(Providers.class)
        .should()
        .callConstructor(OpenAiLlmClient.class, HttpProviderSettings.class)
        .orShould()
        .callConstructor(AnthropicLlmClient.class, HttpProviderSettings.class)
        .orShould()
        .callConstructor(SimulatedLlmClient.class, SimulationConfig.class)
        .because("provider clients are built from typed settings in one place (Providers)")
        .check(CLASSES);
  }

  @Test
  void theApp_namesNoProviderAdapter() {
    noClasses()
        .that()
        .resideInAPackage("org.bookcreator.app..")
        .should()
        .dependOnClassesThat()
        .belongToAnyOf(OpenAiLlmClient.class, AnthropicLlmClient.class, SimulatedLlmClient.class)
        .because("the app asks Providers for clients by name; models are the adapters' business")
        .check(CLASSES);
  }
}
