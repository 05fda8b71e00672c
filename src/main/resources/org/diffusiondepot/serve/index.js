// The list of served models, each linking to its page.
'use strict';

(async function listModels() {
  const list = document.getElementById('models');
  try {
    const response = await fetch('/api/models');
    const models = await response.json();
    for (const model of models) {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = '/models/' + encodeURIComponent(model.id);
      link.textContent = model.name || model.id;
      const task = document.createElement('span');
      task.className = 'badge';
      task.textContent = model.task;
      const facts = document.createElement('p');
      facts.className = 'facts';
      facts.textContent = [model.description, model.imageSize + '×' + model.imageSize + ' px',
        model.id].filter(Boolean).join(' · ');
      item.append(link, ' ', task, facts);
      list.append(item);
    }
  } catch (error) {
    const message = document.getElementById('message');
    message.textContent = 'Cannot reach the server: ' + error.message;
    message.hidden = false;
  }
})();
