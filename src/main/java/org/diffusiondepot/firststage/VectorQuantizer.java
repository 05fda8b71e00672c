package org.diffusiondepot.firststage;

import org.diffusiondepot.nn.Initializer;
import org.diffusiondepot.nn.ParameterStore;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Vector quantisation of van den Oord et al. (2017) as used by VQGAN: each latent vector z is
 * replaced by its nearest codebook entry e (squared distance), with
 * <pre>
 *   z_q = z + sg(e - z)                      (straight-through: d z_q / d z = identity)
 *   codebook loss   = mean ||sg(z) - e||^2   (moves the codes)
 *   commitment loss = beta mean ||z - sg(e)||^2   (keeps the encoder near its codes)
 * </pre>
 * Means run over every element, as in taming. Code usage in the batch is reported as the
 * perplexity exp(-sum p log p) of the code histogram and as the fraction of codes used.
 * <p>
 * Parameter: {@code quantizer/codebook} [codebookSize, embeddingDim], initialised U(-1/K, 1/K).
 */
public final class VectorQuantizer {
  public static final String CODEBOOK = "quantizer/codebook";

  private final int codebookSize;
  private final int dim;
  private final float beta;

  public VectorQuantizer(int codebookSize, int embeddingDim, double commitmentBeta) {
    this.codebookSize = codebookSize;
    this.dim = embeddingDim;
    this.beta = (float) commitmentBeta;
  }

  /** Everything the quantiser computes for one batch. */
  public record Quantized(
      Operand<TFloat32> zq,
      Operand<TFloat32> codes,
      Operand<TInt32> indices,
      Operand<TFloat32> codebookLoss,
      Operand<TFloat32> commitmentLoss,
      Operand<TFloat32> perplexity,
      Operand<TFloat32> usage) {}

  public Operand<TFloat32> codebook(ParameterStore params) {
    float bound = 1f / codebookSize;
    Initializer uniform = (tf, shape, seed) -> tf.math.sub(tf.math.mul(tf.random.randomUniform(tf.constant(shape),
        TFloat32.class, RandomUniform.seed(seed & 0x7fffffffL)), tf.constant(2 * bound)), tf.constant(bound));
    return params.parameter(CODEBOOK, Shape.of(codebookSize, dim), uniform);
  }

  /** @param z [B, h, w, embeddingDim] */
  public Quantized apply(Ops tf, ParameterStore params, Operand<TFloat32> z) {
    Operand<TFloat32> codebook = codebook(params);
    Operand<TInt32> indices = nearest(tf, codebook, z);
    Operand<TFloat32> codes = tf.gather(codebook, indices, tf.constant(0));
    Operand<TFloat32> zq = tf.math.add(z, tf.stopGradient(tf.math.sub(codes, z)));
    Operand<TFloat32> codebookLoss = meanSquare(tf, tf.math.sub(tf.stopGradient(z), codes));
    Operand<TFloat32> commitmentLoss = tf.math.mul(tf.constant(beta),
        meanSquare(tf, tf.math.sub(z, tf.stopGradient(codes))));
    Usage usage = usage(tf, indices);
    return new Quantized(zq, codes, indices, codebookLoss, commitmentLoss, usage.perplexity(), usage.fraction());
  }

  /** The perplexity of a code histogram and the fraction of the codebook it uses. */
  public record Usage(Operand<TFloat32> perplexity, Operand<TFloat32> fraction) {}

  /**
   * Code usage of the chosen {@code indices} (any shape), from one histogram over all of them: a
   * batch split into slices is measured on the whole batch, not as a mean over the slices.
   */
  public Usage usage(Ops tf, Operand<TInt32> indices) {
    Operand<TInt32> flat = tf.reshape(indices, tf.constant(new int[] {-1}));
    Operand<TFloat32> counts = tf.math.unsortedSegmentSum(tf.fill(tf.shape(flat), tf.constant(1f)), flat,
        tf.constant(codebookSize));
    Operand<TFloat32> p = tf.math.div(counts, tf.math.maximum(tf.sum(counts, tf.constant(0)), tf.constant(1f)));
    Operand<TFloat32> entropy = tf.math.neg(tf.sum(tf.math.mul(p, tf.math.log(tf.math.add(p, tf.constant(1e-10f)))),
        tf.constant(0)));
    Operand<TFloat32> used = tf.sum(tf.dtypes.cast(tf.math.greater(counts, tf.constant(0f)), TFloat32.class),
        tf.constant(0));
    return new Usage(tf.math.exp(entropy), tf.math.div(used, tf.constant((float) codebookSize)));
  }

  /** Snaps z to its nearest codes without losses or gradients: decoding a diffusion model's output. */
  public Operand<TFloat32> snap(Ops tf, ParameterStore params, Operand<TFloat32> z) {
    Operand<TFloat32> codebook = codebook(params);
    return tf.gather(codebook, nearest(tf, codebook, z), tf.constant(0));
  }

  /**
   * argmin_k ||z - e_k||^2 = argmin_k (||e_k||^2 - 2 z.e_k), shaped like z without its last axis.
   * Computed from stopped inputs: the choice of code carries no gradient.
   */
  private Operand<TInt32> nearest(Ops tf, Operand<TFloat32> codebook, Operand<TFloat32> z) {
    Operand<TFloat32> e = tf.stopGradient(codebook);
    Operand<TFloat32> flat = tf.reshape(tf.stopGradient(z), tf.constant(new int[] {-1, dim}));
    Operand<TFloat32> dot = tf.linalg.matMul(flat, e, MatMul.transposeB(true));
    Operand<TFloat32> codeNorms = tf.reshape(tf.sum(tf.math.square(e), tf.constant(1)), tf.constant(new int[] {1, -1}));
    Operand<TFloat32> zNorms = tf.sum(tf.math.square(flat), tf.constant(1), Sum.keepDims(true));
    Operand<TFloat32> distances = tf.math.add(tf.math.sub(zNorms, tf.math.mul(tf.constant(2f), dot)), codeNorms);
    Operand<TInt32> best = tf.math.argMin(distances, tf.constant(1), TInt32.class);
    // Static height and width, so that layers after a lookup still know the spatial shape.
    return tf.reshape(best, tf.constant(new int[] {-1, (int) z.shape().get(1), (int) z.shape().get(2)}));
  }

  private static Operand<TFloat32> meanSquare(Ops tf, Operand<TFloat32> x) {
    return tf.math.mean(tf.math.square(x), tf.constant(new int[] {0, 1, 2, 3}));
  }
}
