package org.diffusiondepot.serve;

import java.awt.image.BufferedImage;
import java.util.List;
import org.diffusiondepot.image.ImageGrid;
import org.diffusiondepot.sampler.Samples;
import org.diffusiondepot.task.Conditioning;
import org.diffusiondepot.task.DiffusionTask;
import org.diffusiondepot.task.Panels;

/**
 * A finished request's images as PNG bytes: each sample at its own size (the downloads), the
 * task's panels (each sample beside what conditioned it: the masked input; the low-res image and
 * its bicubic upscale; the class as a row label), and the grid {@code depot-sample --out} writes.
 *
 * @param tiles per sample, one PNG per panel column
 */
record JobResult(int count, int size, List<String> columns, List<String> rowLabels, List<List<byte[]>> tiles,
    List<byte[]> samples, byte[] grid) {

  static JobResult of(Samples samples, DiffusionTask task, JobRequest request) {
    int n = samples.count();
    Conditioning condition = task.forSampling(request.inputs().conditioning(), 0, n);
    Panels panels = task.panels(samples.pixels(), condition, n);
    List<List<byte[]>> tiles = panels.rows().stream().map(row -> row.stream().map(Png::encode).toList()).toList();
    List<byte[]> pngs = samples.images().stream().map(Png::encode).toList();
    // As depot-sample writes --out: small samples enlarged 4x so that they can be seen.
    BufferedImage grid = ImageGrid.enlarge(samples.grid(request.gridColumns()), samples.size() < 64 ? 4 : 1);
    return new JobResult(n, samples.size(), panels.columns(), panels.rowLabels(), tiles, pngs, Png.encode(grid));
  }

  java.util.Map<String, Object> toJson() {
    return Json.object("count", count, "size", size, "columns", columns, "labels", rowLabels);
  }
}
