// kefu's embeddable chat: add
//   <script src="https://kefu.example/widget.js" data-lang="en" data-position="left" async></script>
// to a page and a floating button opens the chat (/chat?embed=1) in a frame.
// data-lang: zh-CN (default) or en; data-position: right (default) or left;
// data-label: the button's text (default: the language's "customer service").
'use strict';
(function () {
  const script = document.currentScript;
  if (!script || window.__kefuWidget) return;
  window.__kefuWidget = true;
  const origin = new URL(script.src).origin;
  const lang = script.dataset.lang === 'en' ? 'en' : 'zh-CN';
  const left = script.dataset.position === 'left';
  const label = script.dataset.label || (lang === 'en' ? 'Customer service' : '联系客服');
  const close = lang === 'en' ? 'Close' : '关闭';
  const side = left ? 'left' : 'right';

  const button = document.createElement('button');
  button.type = 'button';
  button.id = 'kefu-widget-button';
  button.textContent = label;
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-controls', 'kefu-widget-panel');
  Object.assign(button.style, {
    position: 'fixed', bottom: '20px', [side]: '20px', zIndex: '2147483000',
    padding: '12px 18px', border: '0', borderRadius: '24px', background: '#1664ff',
    color: '#fff', font: '600 15px/1.2 system-ui, sans-serif', cursor: 'pointer',
    boxShadow: '0 4px 16px rgba(0,0,0,.2)',
  });

  const panel = document.createElement('div');
  panel.id = 'kefu-widget-panel';
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', label);
  Object.assign(panel.style, {
    position: 'fixed', bottom: '76px', [side]: '20px', zIndex: '2147483000',
    width: 'min(400px, calc(100vw - 24px))', height: 'min(620px, calc(100vh - 100px))',
    background: '#fff', borderRadius: '12px', overflow: 'hidden',
    boxShadow: '0 8px 32px rgba(0,0,0,.25)', display: 'none', flexDirection: 'column',
  });
  const bar = document.createElement('div');
  Object.assign(bar.style, { display: 'flex', justifyContent: 'flex-end', background: '#f5f6f8' });
  const closer = document.createElement('button');
  closer.type = 'button';
  closer.textContent = '×';
  closer.setAttribute('aria-label', close);
  Object.assign(closer.style, { border: '0', background: 'transparent', font: '22px/1 system-ui', padding: '6px 12px', cursor: 'pointer' });
  bar.appendChild(closer);
  panel.appendChild(bar);
  let frame = null;

  function open() {
    if (!frame) {
      frame = document.createElement('iframe');
      frame.title = label;
      frame.src = `${origin}/chat?embed=1&lang=${encodeURIComponent(lang)}`;
      frame.setAttribute('allow', 'microphone');
      Object.assign(frame.style, { border: '0', width: '100%', flex: '1' });
      panel.appendChild(frame);
    }
    panel.style.display = 'flex';
    button.setAttribute('aria-expanded', 'true');
    frame.focus();
  }
  function hide() {
    panel.style.display = 'none';
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  }
  button.addEventListener('click', () => (panel.style.display === 'none' ? open() : hide()));
  closer.addEventListener('click', hide);
  panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') hide(); });
  // Escape pressed inside the framed chat arrives as a message from it.
  window.addEventListener('message', (e) => {
    if (e.origin === origin && e.data && e.data.kefu === 'close' && panel.style.display !== 'none') hide();
  });
  function mount() { document.body.appendChild(panel); document.body.appendChild(button); }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);
})();
