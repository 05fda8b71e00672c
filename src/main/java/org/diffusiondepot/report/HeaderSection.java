package org.diffusiondepot.report;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.diffusiondepot.diffusion.Denoiser;
import org.diffusiondepot.nn.ArchitectureSummary;
import org.diffusiondepot.nn.CountingStore;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Section 1: what the model is: its card, its architecture and the config it was trained with. */
final class HeaderSection implements Section {
  @Override
  public String id() {
    return "model";
  }

  @Override
  public String title() {
    return "Model";
  }

  @Override
  public void render(ReportContext ctx, HtmlPage page) {
    List<List<String>> sources = new ArrayList<>();
    sources.add(List.of("task", ctx.kind().toString()));
    if (ctx.config != null && !ctx.config.getDescription().isEmpty()) {
      sources.add(List.of("description", ctx.config.getDescription()));
    }
    sources.add(List.of("run directory", ctx.hasRun() ? ctx.runDir.toString() : "(not given)"));
    sources.add(List.of("export directory", ctx.hasExport() ? ctx.exportDir.toString() : "(not given)"));
    if (ctx.hasExport()) {
      sources.add(List.of("parameters", String.format(Locale.ROOT, "%,d", ctx.card.getParameters())));
      sources.add(List.of("trained steps (EMA weights)", String.valueOf(ctx.card.getTrainedSteps())));
    }
    page.beginColumns();
    page.subheading("Overview");
    page.table(List.of(), sources);
    if (ctx.hasExport() && ctx.config != null && ctx.hasRun() && !ctx.card.getName().equals(ctx.config.getName())) {
      page.note("The export's model card names the model \"" + ctx.card.getName() + "\" but the run's config \""
          + ctx.config.getName() + "\": are these the same model?");
    }

    page.subheading("Model card");
    if (ctx.hasExport()) {
      page.table(List.of("field", "value"), cardRows(ctx.card));
    } else {
      page.note("No export given, so there is no model card (nor samples below). Create one with "
          + "`tools/depot export " + (ctx.hasRun() ? ctx.runDir : "RUN_DIR") + " --out EXPORT_DIR` and pass both.");
    }

    page.nextColumn();
    page.subheading(ctx.hasRun() ? "Config (" + ctx.runDir.resolve("config.pbtxt") + ")"
        : "Config (embedded in the model card)");
    page.pre(ctx.configText == null || ctx.configText.isBlank() ? "(none)" : ctx.configText);
    page.endColumns();
    page.subheading("Architecture");
    String summary = ctx.config == null ? null : architecture(ctx);
    if (summary != null) {
      page.pre(summary);
    }
    if (ctx.hasExport()) {
      page.paragraph(String.format(Locale.ROOT, "Parameters (model card): %,d.", ctx.card.getParameters()));
    } else if (summary == null) {
      page.note("The parameter count is in the model card of an export; `tools/depot describe CONFIG` prints it.");
    }
  }

  /** Every field of the card that says something, in proto order; the config is shown apart. */
  static List<List<String>> cardRows(ModelCard card) {
    List<List<String>> rows = new ArrayList<>();
    addRows(card, rows);
    return rows;
  }

  /**
   * The rows of one message. A nested message (the card's diffusion settings) contributes its own
   * fields, under their own names, as they were when the card copied them; deprecated fields are
   * left out, since a card read through ModelCards has them cleared.
   */
  private static void addRows(Message message, List<List<String>> rows) {
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (field.getNumber() == ModelCard.SOURCE_CONFIG_FIELD_NUMBER && message instanceof ModelCard
          || field.getOptions().getDeprecated()) {
        continue;
      }
      if (field.isRepeated()) {
        if (message.getRepeatedFieldCount(field) > 0) {
          rows.add(List.of(field.getName(), String.join(", ", ((List<?>) message.getField(field)).stream()
              .map(String::valueOf).toList())));
        }
      } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (message.hasField(field)) {
          addRows((Message) message.getField(field), rows);
        }
      } else if (message.hasField(field) || field.getType() == FieldDescriptor.Type.BOOL) {
        Object value = message.getField(field);
        rows.add(List.of(field.getName(), value instanceof Double d ? Numbers.exact(d) : String.valueOf(value)));
      }
    }
  }

  /**
   * The UNet's levels and parameters, as {@code tools/depot describe} prints them: built from
   * placeholders, so nothing is allocated. Null when this config's denoiser cannot be built here.
   */
  private static String architecture(ReportContext ctx) {
    ExperimentConfig c = ctx.config;
    if (ctx.task() == null) {
      return null;  // not a diffusion model: a first stage has no UNet
    }
    try (Graph g = new Graph()) {
      Denoiser denoiser = Denoiser.fromConfig(c);
      Ops tf = Ops.create(g);
      CountingStore store = new CountingStore(tf);
      int size = denoiser.modelSize();
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, denoiser.modelChannels())));
      var t = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      denoiser.predictNoise(tf, store, x, t, denoiser.placeholders(tf));
      return ArchitectureSummary.describe(denoiser.spec(), store.shapes());
    } catch (RuntimeException e) {
      ctx.progress("no architecture summary: %s", e.getMessage());
      return null;
    }
  }
}
