package org.bookcreator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bookcreator.core.cost.PriceTable;
import org.bookcreator.core.pipeline.Pipeline;
import org.bookcreator.core.pipeline.PipelineConfig;
import org.bookcreator.core.project.Project;
import org.bookcreator.core.run.Run;
import org.bookcreator.core.run.RunEvent;
import org.bookcreator.core.run.RunState;
import org.bookcreator.core.run.Task;
import org.bookcreator.core.run.TaskKind;
import org.bookcreator.core.support.Ids;
import org.bookcreator.docparse.MultiFormatDocumentParser;
import org.bookcreator.providers.simulated.SimulatedLlmClient;
import org.bookcreator.providers.simulated.SimulationConfig;
import org.bookcreator.store.sqlite.SqliteStore;
import org.bookcreator.telemetry.Telemetry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project whose references are a corrupt PDF, a zip bomb named .docx, a file far over the size
 * limit, a text file with a .pdf extension, binary garbage named .md and a missing file, beside one
 * good Markdown file: each bad one is a clear document error on the run, and the run completes with
 * the sections of the good one.
 */
class HostileDocumentsTest {
  @TempDir Path dir;

  @Test
  void everyHostileDocument_isAClearError_andTheRunGoesOnWithTheGoodOne() throws Exception {
    Path refs = Files.createDirectories(dir.resolve("refs"));
    byte[] junk = new byte[8192];
    new Random(3).nextBytes(junk);
    Path corrupt = refs.resolve("corrupt.pdf");
    Files.write(corrupt, concat("%PDF-1.7\n".getBytes(), junk));
    Path bomb = refs.resolve("bomb.docx");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(bomb))) {
      z.putNextEntry(new ZipEntry("word/document.xml"));
      z.write(new byte[8 * 1024 * 1024]);
      z.closeEntry();
    }
    Path huge = refs.resolve("huge.txt");
    Files.write(huge, new byte[2 * 1024 * 1024]);
    Path wrongExtension =
        Files.writeString(refs.resolve("notes.pdf"), "plain text pretending to be a PDF");
    Path garbage = refs.resolve("garbage.md");
    Files.write(garbage, junk);
    Path missing = refs.resolve("missing.md");
    Path good =
        Files.writeString(
            refs.resolve("good.md"), "# Lamps\n\nThe keeper lit the lamp at dusk every day.\n");
    List<Path> all = List.of(corrupt, bomb, huge, wrongExtension, garbage, missing, good);

    Run run;
    List<RunEvent> events;
    Task parse;
    try (SqliteStore store = SqliteStore.open(dir.resolve("data"), true)) {
      Ids ids = Ids.system();
      Pipeline pipeline =
          new Pipeline(
              store,
              new SimulatedLlmClient(SimulationConfig.instant(2)),
              PriceTable.defaults(),
              PipelineConfig.defaults(dir).withWorkers(2),
              Telemetry.noop(),
              InstantSource.system(),
              ids,
              new Random(1),
              new MultiFormatDocumentParser(1024 * 1024, 50));
      Project p =
          new Project(
              ids.next("prj"),
              "Hostile Refs",
              "non-fiction",
              Optional.empty(),
              "A brief.",
              1,
              Optional.empty(),
              all.stream().map(Path::toString).toList(),
              java.time.Instant.now());
      store.createProject(p);
      pipeline.start();
      run =
          pipeline.completion(TestRuns.start(store, pipeline, p, 1).id()).get(60, TimeUnit.SECONDS);
      pipeline.close();
      events = store.events(run.id());
      parse =
          store.tasks(run.id()).stream()
              .filter(t -> t.kind() == TaskKind.PARSE_DOCUMENTS)
              .findFirst()
              .orElseThrow();
    }

    assertThat(run.state()).isEqualTo(RunState.COMPLETED);
    List<String> errors =
        events.stream()
            .filter(e -> e.kind().equals(RunEvent.DOCUMENT_ERROR))
            .map(RunEvent::detail)
            .toList();
    assertThat(errors).hasSize(6);
    assertThat(errors)
        .anySatisfy(e -> assertThat(e).contains("corrupt.pdf").containsIgnoringCase("pdf"));
    assertThat(errors)
        .anySatisfy(
            e -> assertThat(e).contains("bomb.docx").contains("unsupported document type '.docx'"));
    assertThat(errors)
        .anySatisfy(e -> assertThat(e).contains("huge.txt").contains("over the limit"));
    assertThat(errors)
        .anySatisfy(e -> assertThat(e).contains("notes.pdf").contains("does not start with %PDF-"));
    assertThat(errors)
        .anySatisfy(e -> assertThat(e).contains("garbage.md").contains("binary content"));
    assertThat(errors)
        .anySatisfy(e -> assertThat(e).contains("missing.md").contains("file not found"));
    assertThat(parse.output().orElseThrow()).contains("The keeper lit the lamp at dusk");
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
