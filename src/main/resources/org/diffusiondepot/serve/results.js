// A finished job's results on a model's page: the images, their downloads, and what made them.
'use strict';

/**
 * The images of a finished job ({@code job.result}): each sample beside what conditioned it, with
 * a PNG download each and the grid depot-sample writes, then the settings and the command line.
 */
function renderResults(job, model) {
  const result = job.result;
  const base = '/api/jobs/' + job.id;
  const size = displaySize(result.size);
  const download = (i) => {
    const link = document.createElement('a');
    link.href = base + '/samples/' + i + '.png';
    link.download = model.id + '-seed' + job.settings.seed + '-' + i + '.png';
    link.textContent = 'PNG';
    link.className = 'download';
    return link;
  };
  const tile = (row, column, isSample) => {
    const image = document.createElement('img');
    image.src = base + '/panels/' + row + '/' + column + '.png';
    image.width = size;
    image.height = size;
    image.className = 'pixelated' + (isSample ? ' sample' : '');
    image.alt = result.columns[column] + ' ' + (row + 1);
    return image;
  };
  const container = byId('results');
  const output = result.columns.length - 1;
  if (result.columns.length === 1) {
    const grid = document.createElement('div');
    grid.className = 'tiles';
    // as depot-sample lays out its grid: one row per class, or about square; narrower pages wrap
    const columns = job.settings.class === 'all' ? job.settings.num : Math.ceil(Math.sqrt(result.count));
    const track = size + 2;   // the image and its border
    grid.style.gridTemplateColumns = 'repeat(auto-fill, ' + track + 'px)';
    grid.style.maxWidth = columns * track + (columns - 1) * 12 + 'px';
    for (let i = 0; i < result.count; i++) {
      const figure = document.createElement('figure');
      const caption = document.createElement('figcaption');
      caption.append(result.labels[i] ? result.labels[i] + ' ' : '', download(i));
      figure.append(tile(i, 0, true), caption);
      grid.append(figure);
    }
    container.append(grid);
  } else {
    const table = document.createElement('table');
    table.className = 'panels';
    const head = table.createTHead().insertRow();
    for (const column of result.columns.concat([''])) {
      const th = document.createElement('th');
      th.textContent = column;
      head.append(th);
    }
    const body = table.createTBody();
    for (let i = 0; i < result.count; i++) {
      const row = body.insertRow();
      for (let c = 0; c < result.columns.length; c++) {
        row.insertCell().append(tile(i, c, c === output));
      }
      row.insertCell().append(download(i));
    }
    container.append(table);
  }
  const grid = document.createElement('a');
  grid.href = base + '/grid.png';
  grid.download = model.id + '-seed' + job.settings.seed + '-grid.png';
  grid.textContent = 'Download the grid (as depot-sample --out writes it)';
  grid.className = 'download';
  container.append(grid);
  showRepro(job, base);
}

function showRepro(job, base) {
  const s = job.settings;
  const parts = [s.num + (s.class === 'all' ? ' per class' : (s.num === 1 ? ' image' : ' images')),
    'sampler ' + s.sampler];
  if (s.steps !== null) parts.push(s.steps + ' steps');
  if (s.eta !== null) parts.push('eta ' + s.eta);
  parts.push('seed ' + s.seed);
  if (s.class !== null) parts.push('class ' + s.class);
  if (s.guidance !== null) parts.push('guidance ' + s.guidance);
  byId('settings-line').textContent = parts.join(' · ');
  byId('command').textContent = job.command;
  const links = byId('upload-links');
  links.replaceChildren();
  byId('upload-hint').textContent = job.uploads.length ? ', with these files saved there' : '';
  for (const name of job.uploads) {
    const link = document.createElement('a');
    link.href = base + '/uploads/' + encodeURIComponent(name);
    link.download = name;
    link.textContent = name;
    link.className = 'download';
    links.append(link, ' ');
  }
  byId('repro').hidden = false;
}

function displaySize(size) {
  return size >= 128 ? Math.min(size, 256) : size * Math.ceil(128 / size);
}

function byId(id) {
  return document.getElementById(id);
}
