package org.diffusiondepot.task;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diffusiondepot.image.Pixels;
import org.diffusiondepot.proto.ClassConditioning;
import org.diffusiondepot.proto.ExperimentConfig;
import org.diffusiondepot.proto.ModelCard;
import org.diffusiondepot.proto.Task;
import org.diffusiondepot.runtime.Tensors;
import org.tensorflow.Tensor;

/**
 * Class-conditional generation with classifier-free guidance (Ho and Salimans 2022): a learned class
 * embedding, with one extra row for the null class (index = number of classes). Training replaces
 * each label by the null class with probability {@code classes.label_dropout}, so one network learns
 * both the conditional and the unconditional noise prediction that guidance combines:
 * eps = eps_uncond + w (eps_cond - eps_uncond).
 */
public final class ClassConditionalTask extends DiffusionTask {
  private final ClassConditioning classes;
  private final List<String> names;

  ClassConditionalTask(ExperimentConfig config, List<String> classNames) {
    super(config);
    this.classes = config.getClasses();
    this.names = List.copyOf(classNames);
  }

  @Override
  public Task kind() {
    return Task.CLASS_CONDITIONAL;
  }

  @Override
  public int classCount() {
    return classes.getNumClasses();
  }

  /** The label that means "no class". */
  public int nullClass() {
    return classes.getNumClasses();
  }

  public List<String> classNames() {
    return names;
  }

  /** Whether the model was trained with label dropout, so that guidance scales other than 1 exist. */
  public boolean classifierFreeGuidance() {
    return classes.getClassifierFreeGuidance();
  }

  /** The guidance scale samplers use unless told otherwise: 1 (the plain conditional model) without CFG. */
  public double defaultGuidance() {
    return classifierFreeGuidance() ? classes.getGuidanceScale() : 1.0;
  }

  @Override
  public void describe(ModelCard.Builder card) {
    super.describe(card);
    card.addAllClassNames(names).setClassifierFreeGuidance(classifierFreeGuidance())
        .setGuidanceScale(defaultGuidance()).setNullClass(nullClass());
  }

  @Override
  public String summary() {
    return super.summary() + " of " + classCount() + " classes" + (classifierFreeGuidance()
        ? ", classifier-free guidance (label dropout " + classes.getLabelDropout() + ", default w = "
            + defaultGuidance() + ")" : ", no classifier-free guidance");
  }

  @Override
  public List<SignatureInput> inputs() {
    return List.of(new SignatureInput(ExportContract.LABEL, true));
  }

  /** Each label is dropped to the null class with probability label_dropout, drawn per (step, example). */
  @Override
  public Conditioning forTraining(float[] images, int[] labels, int n, long step, int firstRow) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      checkLabel(labels[i]);
      double u = (trainingDraw(LABELS, step, firstRow + i) >>> 11) * 0x1.0p-53;
      out[i] = u < classes.getLabelDropout() ? nullClass() : labels[i];
    }
    return Conditioning.ofLabels(out);
  }

  /** Held-out images keep their true labels. */
  @Override
  public Conditioning forHeldOut(float[] images, int[] labels, int n, long seed, int firstIndex) {
    int[] out = java.util.Arrays.copyOf(labels, n);
    for (int label : out) {
      checkLabel(label);
    }
    return Conditioning.ofLabels(out);
  }

  /** Previews go through the classes in turn. */
  @Override
  public Conditioning forPreview(float[] images, int available, int count, long seed) {
    return Conditioning.ofLabels(inTurn(null, 0, count));
  }

  @Override
  public Conditioning forSampling(Conditioning request, int start, int n) {
    if (request.image() != null || request.mask() != null || request.lowRes() != null) {
      throw new ConditioningException("this class-conditional model takes a class, not an image, mask or low-resolution input");
    }
    return Conditioning.ofLabels(inTurn(request.labels(), start, n));
  }

  /** Labels of samples start.. start+n-1: the requested ones (in turn if fewer), or every class in turn. */
  private int[] inTurn(int[] requested, int start, int n) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int k = start + i;
      out[i] = requested == null ? k % classCount() : requested[k % requested.length];
      if (out[i] < 0 || out[i] >= classCount()) {
        throw new ConditioningException("class index " + out[i] + " is out of range 0.." + (classCount() - 1));
      }
    }
    return out;
  }

  @Override
  public Map<String, Tensor> feeds(Conditioning condition, int n) {
    if (condition.labels() == null) {
      throw new ConditioningException("this class-conditional model needs class labels");
    }
    return Map.of(ExportContract.LABEL, Tensors.of(condition.labels(), n));
  }

  /**
   * Guidance w (null: {@link #defaultGuidance}); w = 1 is the plain conditional model, the only
   * choice for a model trained without label dropout.
   */
  @Override
  public NoisePredictor predictor(NoisePredictor model, Double guidance) {
    double w = guidance != null ? guidance : defaultGuidance();
    if (!classifierFreeGuidance() && w != 1.0) {
      throw new ConditioningException("this model was trained without classifier-free guidance (no null-label "
          + "dropout), so only the plain conditional model, guidance 1, is available");
    }
    return w == 1.0 ? model : new GuidedPredictor(model, w, nullClass());
  }

  /** One row per sample labelled with its class; a compact grid puts one class per column. */
  @Override
  public Panels panels(float[] images, Conditioning condition, int n) {
    List<List<BufferedImage>> rows = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(List.of(Pixels.toImage(images, i, imageSize, imageChannels)));
      int label = condition.labels() == null ? -1 : condition.labels()[i];
      labels.add(label >= 0 && label < names.size() ? names.get(label) : label == nullClass() ? "(none)" : "");
    }
    return new Panels(List.of("sample"), rows, labels, classCount());
  }

  private void checkLabel(int label) {
    if (label < 0 || label >= classCount()) {
      throw new IllegalArgumentException("label " + label + " outside 0.." + (classCount() - 1));
    }
  }
}
