/**
 * Sample-quality metrics, computed on the host in double precision unless they need a network.
 *
 * <ul>
 *   <li>No network: {@link org.diffusiondepot.eval.ImageMetrics} (PSNR, SSIM, optionally masked),
 *       {@link org.diffusiondepot.eval.SlicedWasserstein} (SWD on Laplacian-pyramid patches).
 *   <li>Inception features, from a frozen graph file the user supplies
 *       ({@link org.diffusiondepot.eval.InceptionFeatures}): {@link
 *       org.diffusiondepot.eval.FrechetDistance} (FID) and {@link
 *       org.diffusiondepot.eval.KernelInceptionDistance} (KID). Both also take any other feature
 *       vectors.
 *   <li>A small classifier trained here ({@link org.diffusiondepot.eval.ShapeClassifier}) for
 *       {@link org.diffusiondepot.eval.PerClassAccuracy} of class-conditional samples.
 * </ul>
 * {@link org.diffusiondepot.eval.MetricsReport} collects the numbers as JSON.
 */
package org.diffusiondepot.eval;
