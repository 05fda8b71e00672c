package org.diffusiondepot.serve;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.sampler.DepotModel;
import org.diffusiondepot.sampler.ModelCards;
import org.diffusiondepot.task.ClassConditionalTask;
import org.diffusiondepot.task.DiffusionTask;
import org.diffusiondepot.task.SuperResolutionTask;

/** A loaded export with its page id and its queue; {@link #toJson} is what its page adapts to. */
final class ServedModel implements AutoCloseable {
  private final String id;
  private final DepotModel model;
  private final ModelWorker worker;
  private final String description;

  ServedModel(String id, DepotModel model, ServerOptions options, PrintWriter log) {
    this.id = id;
    this.model = model;
    JobRunner runner = new JobRunner(model, options.batch(), log);
    this.worker = new ModelWorker(id, options.queueLimit(), runner::run);
    this.description = ModelCards.sourceConfig(model.card(), model.directory()).getDescription();
  }

  String id() {
    return id;
  }

  DepotModel model() {
    return model;
  }

  ModelWorker worker() {
    return worker;
  }

  Path directory() {
    return model.directory();
  }

  /** The card as the page needs it: task, sizes, samplers and defaults, and the task's own controls. */
  Map<String, Object> toJson(ServerOptions options) {
    ModelCard card = model.card();
    DiffusionTask task = model.task();
    Map<String, Object> json = Json.object("id", id, "name", card.getName(), "description", description,
        "task", RequestParser.kind(task), "imageSize", task.imageSize(), "channels", task.imageChannels(),
        "timesteps", card.getDiffusion().getTimesteps(), "trainedSteps", card.getTrainedSteps(),
        "parameters", card.getParameters(), "samplers", SamplerChoices.describe(),
        "defaults", Json.object("num", RequestParser.DEFAULT_NUM, "sampler", "ddim",
            "steps", RequestParser.DEFAULT_STEPS, "eta", 0),
        "maxImages", options.maxImages(), "waiting", worker.waitingCount(), "busy", worker.busy());
    if (task instanceof ClassConditionalTask classes) {
      json.put("classes", ClassPick.names(classes));
      json.put("guidance", Json.object("available", classes.classifierFreeGuidance(),
          "default", classes.defaultGuidance()));
    }
    if (task instanceof SuperResolutionTask sr) {
      json.put("lowResSize", sr.lowResSize());
    }
    return json;
  }

  @Override
  public void close() {
    worker.close();
    model.close();
  }
}
