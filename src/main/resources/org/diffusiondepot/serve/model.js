// One model's page: adapts its controls to the model's task (from /api/models/ID), submits a
// request, follows it through the queue and the chain (server-sent events), and shows the images
// with the settings and the depot-sample command line that made them.
'use strict';

const $ = (id) => document.getElementById(id);
const modelId = decodeURIComponent(location.pathname.split('/').filter(Boolean)[1] || '');
const ACTION = {
  'unconditional': 'Generate', 'class-conditional': 'Generate', 'inpainting': 'Fill',
  'super-resolution': 'Upscale',
};
let model = null;
let events = null;
let previewsShown = 0;
let restoreSettings = false;   // a job opened from the address: show its settings in the form
let painter = null;
const uploads = { image: null, lowRes: null };

init();

async function init() {
  try {
    model = await getJson('/api/models/' + encodeURIComponent(modelId));
  } catch (error) {
    showMessage(error.message);
    return;
  }
  document.title = (model.name || model.id) + ' · Diffusion Depot';
  $('model-name').textContent = model.name || model.id;
  $('task-badge').textContent = model.task;
  $('model-facts').textContent = facts(model);
  for (const fieldset of document.querySelectorAll('fieldset[data-task]')) {
    fieldset.hidden = fieldset.dataset.task !== model.task;
  }
  $('generate').textContent = ACTION[model.task] || 'Generate';
  $('status').textContent = 'Choose the settings, then press ' + $('generate').textContent + '.';
  for (const sampler of model.samplers) {
    addOption($('sampler'), sampler.name, sampler.label);
  }
  $('sampler').value = model.defaults.sampler;
  $('steps').value = model.defaults.steps;
  $('steps').max = model.timesteps;
  $('eta').value = model.defaults.eta;
  $('num').value = model.defaults.num;
  $('num').max = model.maxImages;
  $('sampler').addEventListener('change', samplerChanged);
  samplerChanged();
  if (model.task === 'class-conditional') {
    setUpClasses();
  } else if (model.task === 'inpainting') {
    setUpInpainting();
  } else if (model.task === 'super-resolution') {
    setUpLowRes();
  }
  $('random-seed').addEventListener('click', () => {
    $('seed').value = Math.floor(Math.random() * 2147483647);
  });
  $('settings').addEventListener('submit', submit);
  // a message is about the settings it was given for: changing them puts it away
  $('settings').addEventListener('input', clearMessage);
  $('cancel').addEventListener('click', cancel);
  const resumed = new URLSearchParams(location.hash.slice(1)).get('job');
  if (resumed) {
    restoreSettings = true;
    follow(resumed, null);
  }
}

function facts(m) {
  const parts = [m.imageSize + '×' + m.imageSize + ' px ' + (m.channels === 1 ? 'grey' : 'RGB'),
    'T = ' + m.timesteps, 'trained ' + m.trainedSteps + ' steps'];
  if (m.lowResSize) {
    parts[0] = m.lowResSize + '×' + m.lowResSize + ' → ' + parts[0];
  }
  return (m.description ? m.description + '. ' : '') + parts.join(' · ');
}

function samplerChanged() {
  const sampler = model.samplers.find((s) => s.name === $('sampler').value);
  $('steps').disabled = !sampler.steps;
  if (!sampler.steps) {
    $('steps').value = model.timesteps;
  } else if (+$('steps').value >= model.timesteps) {
    $('steps').value = model.defaults.steps;
  }
  $('eta').disabled = !sampler.eta;
}

function setUpClasses() {
  const select = $('class');
  addOption(select, 'all', 'every class, one row each');
  for (const name of model.classes) {
    addOption(select, name, name);
  }
  const perClass = () => {
    $('num-label').textContent = select.value === 'all' ? 'Images per class' : 'Images';
  };
  select.addEventListener('change', perClass);
  perClass();
  const slider = $('guidance');
  slider.value = model.guidance.default;
  const shown = () => { $('guidance-value').textContent = slider.value; };
  slider.addEventListener('input', shown);
  shown();
  if (model.guidance.available) {
    $('guidance-note').textContent = '1 is the plain conditional model, 0 the unconditional one; '
      + 'higher values push samples towards the class.';
  } else {
    slider.disabled = true;
    $('guidance-note').textContent = 'This model was trained without classifier-free guidance, '
      + 'so guidance stays at 1 (the plain conditional model).';
  }
}

function setUpInpainting() {
  painter = new MaskPainter($('image-canvas'), $('mask-canvas'));
  const brush = $('brush');
  painter.brushPixels = +brush.value;
  brush.addEventListener('input', () => { painter.brushPixels = +brush.value; });
  $('clear-mask').addEventListener('click', () => painter.clear());
  painter.onchange = () => {
    clearMessage();
    const n = painter.count();
    $('paint-hint').textContent = n ? n + ' of ' + painter.width * painter.height + ' pixels to fill'
      : 'Paint the region to fill.';
  };
  $('inpaint-file').addEventListener('change', async () => {
    clearMessage();
    uploads.image = await readFile($('inpaint-file'));
    $('paint-area').hidden = true;
    if (!uploads.image) {
      return;
    }
    const image = new Image();
    image.onload = () => {
      painter.load(image);
      $('paint-area').hidden = false;
    };
    image.onerror = () => showMessage(uploads.image.name + ' is not an image this browser can show; '
      + 'choose a PNG or JPEG');
    image.src = uploads.image.dataUrl;
  });
}

function setUpLowRes() {
  const side = model.lowResSize;
  $('lowres-hint').textContent = 'The model upscales ' + side + '×' + side + ' images to ' + model.imageSize
    + '×' + model.imageSize + '; an image of another size is resized first.';
  $('lowres-file').addEventListener('change', async () => {
    clearMessage();
    uploads.lowRes = await readFile($('lowres-file'));
    const preview = $('lowres-preview');
    preview.hidden = !uploads.lowRes;
    if (uploads.lowRes) {
      preview.onerror = () => {
        preview.hidden = true;
        showMessage(uploads.lowRes.name + ' is not an image this browser can show; choose a PNG or JPEG');
      };
      preview.src = uploads.lowRes.dataUrl;
    }
  });
}

async function submit(event) {
  event.preventDefault();
  clearMessage();
  const form = new URLSearchParams();
  for (const id of ['num', 'sampler', 'steps', 'eta', 'seed']) {
    if (!$(id).disabled && $(id).value !== '') {
      form.set(id, $(id).value);
    }
  }
  if (model.task === 'class-conditional') {
    form.set('class', $('class').value);
    if (!$('guidance').disabled) {
      form.set('guidance', $('guidance').value);
    }
  } else if (model.task === 'inpainting') {
    if (uploads.image) {
      form.set('image', uploads.image.dataUrl);
      form.set('imageName', uploads.image.name);
    }
    if (painter.mask) {
      form.set('mask', painter.dataUrl());
    }
  } else if (model.task === 'super-resolution' && uploads.lowRes) {
    form.set('lowRes', uploads.lowRes.dataUrl);
    form.set('lowResName', uploads.lowRes.name);
  }
  setBusy(true);
  try {
    const response = await fetch('/api/models/' + encodeURIComponent(model.id) + '/jobs',
      { method: 'POST', body: form });
    const body = await response.json();
    if (!response.ok) {
      showMessage(body.error);
      setBusy(false);
      return;
    }
    follow(body.id, body);
  } catch (error) {
    showMessage('Cannot reach the server: ' + error.message);
    setBusy(false);
  }
}

function follow(id, first) {
  history.replaceState(null, '', '#job=' + id);
  $('results').replaceChildren();
  $('repro').hidden = true;
  $('preview-figure').hidden = true;
  previewsShown = 0;
  setBusy(true);
  if (first) {
    show(first);
  }
  if (events) {
    events.close();
  }
  const source = new EventSource('/api/jobs/' + id + '/events');
  events = source;
  source.onmessage = (message) => show(JSON.parse(message.data));
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED && events === source) {
      // refused (the server follows a limited number of streams): ask once a second instead
      events = null;
      poll(id);
    }   // otherwise the browser reconnects by itself
  };
}

async function poll(id) {
  try {
    const job = await getJson('/api/jobs/' + id);
    show(job);
    if (job.state === 'queued' || job.state === 'running') {
      setTimeout(() => poll(id), 1000);
    }
  } catch (error) {
    showMessage(error.message);
    $('status').textContent = '';
    setBusy(false);
  }
}

async function cancel() {
  const id = new URLSearchParams(location.hash.slice(1)).get('job');
  $('cancel').disabled = true;
  try {
    show(await getJson('/api/jobs/' + id + '/cancel', { method: 'POST' }));
  } catch (error) {
    showMessage(error.message);
  }
}

function show(job) {
  if (restoreSettings) {
    restoreSettings = false;
    applySettings(job.settings);
  }
  const active = job.state === 'queued' || job.state === 'running';
  $('cancel').hidden = !active;
  $('cancel').disabled = job.cancelRequested;
  showNotes(job.notes);
  $('progress').hidden = job.state !== 'running';
  if (job.state === 'queued') {
    $('status').textContent = job.position === 1 ? 'Waiting: next in line (one request runs at a time)'
      : 'Waiting in line: position ' + job.position + ' (one request runs at a time)';
  } else if (job.state === 'running') {
    $('status').textContent = (job.cancelRequested ? 'Cancelling… ' : 'Sampling: ') + 'step ' + job.step
      + ' of ' + job.total;
    $('progress').max = job.total || 1;
    $('progress').value = job.step;
    if (job.previews > previewsShown) {
      previewsShown = job.previews;
      $('preview').src = '/api/jobs/' + job.id + '/preview.png?v=' + job.previews;
      $('preview-caption').textContent = 'predicted x₀ at step ' + job.step + ' of ' + job.total;
      $('preview-figure').hidden = false;
    }
  }
  if (!active) {
    if (events) {
      events.close();
      events = null;
    }
    setBusy(false);
    $('preview-figure').hidden = true;
  }
  if (job.state === 'done') {
    const n = job.result.count;
    $('status').textContent = 'Done: ' + n + (n === 1 ? ' image' : ' images');
    renderResults(job, model);
  } else if (job.state === 'failed') {
    $('status').textContent = 'Failed';
    showMessage(job.error);
  } else if (job.state === 'cancelled') {
    $('status').textContent = job.step ? 'Cancelled at step ' + job.step + ' of ' + job.total
      : 'Cancelled before it started';
  }
}

/** Puts a job's settings into the form, so that the page shows what made the images it shows. */
function applySettings(s) {
  $('num').value = s.num;
  $('sampler').value = s.sampler;
  samplerChanged();
  if (s.steps !== null) $('steps').value = s.steps;
  if (s.eta !== null) $('eta').value = s.eta;
  $('seed').value = s.seed;
  if (s.class !== null && $('class')) {
    $('class').value = s.class;
    $('class').dispatchEvent(new Event('change'));
  }
  if (s.guidance !== null && !$('guidance').disabled) {
    $('guidance').value = s.guidance;
    $('guidance').dispatchEvent(new Event('input'));
  }
}

function showNotes(notes) {
  const list = $('notes');
  list.replaceChildren(...notes.map((note) => {
    const item = document.createElement('li');
    item.textContent = note;
    return item;
  }));
  list.hidden = notes.length === 0;
}

function setBusy(busy) {
  $('generate').disabled = busy;
  $('cancel').hidden = !busy;
}

function showMessage(text) {
  $('message').textContent = text;
  $('message').hidden = false;
}

function clearMessage() {
  $('message').hidden = true;
  $('message').textContent = '';
}

function addOption(select, value, label) {
  const option = document.createElement('option');
  option.value = value;
  option.textContent = label;
  select.append(option);
}

function readFile(input) {
  const file = input.files[0];
  if (!file) {
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve({ name: file.name, dataUrl: reader.result });
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

/** GET (or {@code init}) a JSON endpoint; a non-2xx answer throws its error message. */
async function getJson(url, init) {
  const response = await fetch(url, init);
  const body = await response.json().catch(() => ({ error: response.status + ' ' + response.statusText }));
  if (!response.ok) {
    throw new Error(body.error || response.status + ' ' + response.statusText);
  }
  return body;
}
