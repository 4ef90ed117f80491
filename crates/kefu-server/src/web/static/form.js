// The online form: show only the fields of the chosen domain (without this script every
// domain's fields show, each labelled, and the server reads the chosen domain's only).
'use strict';
(function () {
  const select = document.getElementById('category');
  if (!select) return;
  const fields = document.querySelectorAll('.domain-field');
  function update() {
    for (const f of fields) {
      const on = f.dataset.domain === select.value;
      f.hidden = !on;
      for (const input of f.querySelectorAll('input')) input.disabled = !on;
    }
  }
  select.addEventListener('change', update);
  update();
  // A refused form: the list of what to fix gets the focus (its links lead to the fields).
  const errors = document.getElementById('form-errors');
  if (errors) {
    errors.focus();
    for (const a of errors.querySelectorAll('a[href^="#"]')) {
      a.addEventListener('click', (e) => {
        const field = document.getElementById(a.hash.slice(1));
        if (field) { e.preventDefault(); field.focus(); }
      });
    }
  }
})();
