package org.diffusiondepot.sampler;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.DiffusionConfig;
import org.diffusiondepot.proto.ModelCard;

/**
 * The model card of an export: {@code EXPORT_DIR/model_card.pbtxt}, protobuf text format.
 * {@link #read} returns every card in the current layout, whatever version wrote it, so no other
 * code knows about older layouts.
 */
public final class ModelCards {
  public static final String FILE = "model_card.pbtxt";
  /** The card layout this code writes and the newest it reads. */
  public static final int FORMAT_VERSION = 2;

  private ModelCards() {}

  public static ModelCard read(Path exportDir) throws IOException {
    Path file = exportDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new SamplingException(exportDir + " is not a Diffusion Depot export (no " + FILE
          + "); create one with: tools/depot export RUN_DIR --out " + exportDir);
    }
    ModelCard.Builder card = ModelCard.newBuilder();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new SamplingException("cannot read " + file + (e instanceof AccessDeniedException ? " (permission denied)"
          : ": " + e.getMessage()), e);
    }
    try {
      // unknown fields are allowed so that a newer card reaches the version check below
      TextFormat.Parser.newBuilder().setAllowUnknownFields(true).build().merge(text, card);
    } catch (TextFormat.ParseException e) {
      throw new SamplingException(file + ": " + e.getMessage());
    }
    if (card.getFormatVersion() > FORMAT_VERSION) {
      throw new SamplingException(file + " was written by a newer Diffusion Depot (card format "
          + card.getFormatVersion() + "; this version reads up to " + FORMAT_VERSION + "): update tools/depot-sample "
          + "or the sampler library to load it");
    }
    // the version is the file's business: a card read is a card in the current layout
    return upgrade(card).clearFormatVersion().build();
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
    Files.writeString(exportDir.resolve(FILE), TextFormat.printer().printToString(
        card.toBuilder().setFormatVersion(FORMAT_VERSION).build()), StandardCharsets.UTF_8);
  }

  /**
   * Brings a card to the current layout. Cards written before {@code ModelCard.diffusion} copied
   * the diffusion settings into fields 7-14, with the effective values (defaults filled in, and
   * clip_denoised always stated), so they translate one to one. The deprecated fields are cleared
   * either way: after reading, {@code diffusion} is the only place the settings are.
   */
  @SuppressWarnings("deprecation")  // reading the deprecated fields is the point
  static ModelCard.Builder upgrade(ModelCard.Builder card) {
    if (!card.hasDiffusion() && card.getTimesteps() != 0) {
      card.setDiffusion(DiffusionConfig.newBuilder()
          .setTimesteps(card.getTimesteps())
          .setBetaSchedule(card.getBetaSchedule())
          .setBetaStart(card.getBetaStart())
          .setBetaEnd(card.getBetaEnd())
          .setCosineOffset(card.getCosineOffset())
          .setMaxBeta(card.getMaxBeta())
          .setVariance(card.getVariance())
          .setClipDenoised(card.getClipDenoised()));
    }
    return card.clearTimesteps().clearBetaSchedule().clearBetaStart().clearBetaEnd().clearCosineOffset()
        .clearMaxBeta().clearVariance().clearClipDenoised().clearDenoiseSignature();
  }
}
