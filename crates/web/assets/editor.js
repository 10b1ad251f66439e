// The post form's rich-text editor: a toolbar over an editable area that writes its HTML back
// into the form's textarea. The textarea stays what the form sends, and what is used when
// scripts are off; the server sanitises whatever arrives, so this is comfort, not a gate.
(function () {
  'use strict';
  var area = document.getElementById('body_html');
  var bar = document.getElementById('editor-toolbar');
  if (!area || !bar || !document.execCommand) return;

  var editor = document.createElement('div');
  editor.id = 'body_editor';
  editor.className = 'rich-editor';
  editor.contentEditable = 'true';
  editor.setAttribute('role', 'textbox');
  editor.setAttribute('aria-multiline', 'true');
  editor.setAttribute('aria-label', area.getAttribute('data-label') || '');
  editor.innerHTML = area.value;
  area.parentNode.insertBefore(editor, area);
  area.hidden = true;
  bar.hidden = false;
  // Tags rather than inline styles: the portal's pages allow no inline style.
  document.execCommand('styleWithCSS', false, false);

  var sync = function () {
    if (!area.hidden) return;
    area.value = editor.innerHTML;
  };
  editor.addEventListener('input', sync);
  area.form.addEventListener('submit', sync);

  bar.addEventListener('click', function (e) {
    var button = e.target.closest('button[data-cmd]');
    if (!button) return;
    e.preventDefault();
    var cmd = button.getAttribute('data-cmd');
    if (cmd === 'source') {
      // Switch between the editor and the HTML source.
      if (area.hidden) {
        sync();
        area.hidden = false;
        editor.hidden = true;
      } else {
        editor.innerHTML = area.value;
        area.hidden = true;
        editor.hidden = false;
      }
      return;
    }
    editor.focus();
    var value = button.getAttribute('data-value');
    if (cmd === 'createLink' || cmd === 'insertImage') {
      value = window.prompt(button.getAttribute('data-prompt') || '', cmd === 'createLink' ? 'https://' : '');
      if (!value) return;
    }
    document.execCommand(cmd, false, value);
    sync();
  });
})();
