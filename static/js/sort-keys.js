// The sort page on a keyboard: a key presses the card's control marked with it (data-key),
// digits for the choices and → to skip. Ignored while typing and with a modifier held, so the
// browser's own shortcuts and any field keep their keys.
"use strict";

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.repeat || event.altKey || event.ctrlKey || event.metaKey) {
    return;
  }
  const target = event.target;
  if (target instanceof Element && target.closest("input, textarea, select, [contenteditable]")) {
    return;
  }
  const card = document.getElementById("sort-card");
  const control = card && card.querySelector(`[data-key="${CSS.escape(event.key)}"]`);
  if (!control) {
    return;
  }
  event.preventDefault();
  control.click();
});
