package org.diffusiondepot.sampler;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;

/** The model card of an export: {@code EXPORT_DIR/model_card.pbtxt}, protobuf text format. */
public final class ModelCards {
  public static final String FILE = "model_card.pbtxt";

  private ModelCards() {}

  public static ModelCard read(Path exportDir) throws IOException {
    Path file = exportDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new SamplingException(exportDir + " is not a Diffusion Depot export (no " + FILE
          + "); create one with: tools/depot export RUN_DIR --out " + exportDir);
    }
    ModelCard.Builder card = ModelCard.newBuilder();
    try {
      TextFormat.getParser().merge(Files.readString(file, StandardCharsets.UTF_8), card);
    } catch (TextFormat.ParseException e) {
      throw new SamplingException(file + ": " + e.getMessage());
    }
    return card.build();
  }

  /** The experiment config the export was trained with, as its card records it. */
  public static ExperimentConfig sourceConfig(ModelCard card, Path exportDir) {
    ExperimentConfig.Builder config = ExperimentConfig.newBuilder();
    try {
      TextFormat.getParser().merge(card.getSourceConfig(), config);
    } catch (TextFormat.ParseException e) {
      throw new SamplingException(exportDir.resolve(FILE) + ": source_config: " + e.getMessage());
    }
    return config.build();
  }

  public static void write(ModelCard card, Path exportDir) throws IOException {
    Files.writeString(exportDir.resolve(FILE), TextFormat.printer().printToString(card), StandardCharsets.UTF_8);
  }
}
