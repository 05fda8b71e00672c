/**
 * Evaluation of exports and sample-quality metrics, computed on the host in double precision
 * unless they need a network.
 *
 * <p>Evaluating an export ({@code tools/depot eval}): {@link
 * org.diffusiondepot.eval.ModelEvaluation} loads the export and its data, measures the loss per
 * quarter of the timesteps ({@link org.diffusiondepot.eval.TimestepLoss}), hands over to the task's
 * own {@link org.diffusiondepot.eval.TaskEvaluation}, and writes metrics.json (and TensorBoard
 * scalars). {@link org.diffusiondepot.eval.Evaluations} is the one place that picks the evaluation
 * for a task: {@code UnconditionalEvaluation}, {@code ClassEvaluation}, {@code InpaintingEvaluation},
 * {@code SuperResolutionEvaluation}. They share an {@link
 * org.diffusiondepot.eval.EvaluationContext} (the export, the held-out images, the sampling
 * settings) and take all conditioning from the export's task ({@code DepotModel.task()}): labels,
 * masks and low-resolution images are drawn by {@code DiffusionTask.forHeldOut}, seeded per
 * held-out image, so the timestep loss and the task's metrics see the same conditioning.
 *
 * <p>Metrics:
 * <ul>
 *   <li>No network: {@link org.diffusiondepot.eval.ImageMetrics} (PSNR, SSIM, optionally masked;
 *       {@code CandidateScores} averages them for a model and its baselines), {@link
 *       org.diffusiondepot.eval.SlicedWasserstein} (SWD on Laplacian-pyramid patches), {@link
 *       org.diffusiondepot.eval.InpaintingBaselines} (mean and blur fill).
 *   <li>Inception features, from a frozen graph file the user supplies
 *       ({@link org.diffusiondepot.eval.InceptionFeatures}): {@link
 *       org.diffusiondepot.eval.FrechetDistance} (FID) and {@link
 *       org.diffusiondepot.eval.KernelInceptionDistance} (KID). Both also take any other feature
 *       vectors. {@code DistributionMetrics} computes SWD, FID and KID of samples against the
 *       held-out images; {@link org.diffusiondepot.eval.FolderComparison} between two folders.
 *   <li>A small classifier trained here ({@link org.diffusiondepot.eval.ShapeClassifier}) for
 *       {@link org.diffusiondepot.eval.PerClassAccuracy} of class-conditional samples.
 * </ul>
 * {@link org.diffusiondepot.eval.MetricsReport} collects the numbers as JSON.
 */
package org.diffusiondepot.eval;
