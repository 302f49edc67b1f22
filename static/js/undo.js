// Undo is offered for a few seconds after a one-click change (netzwerk/undo.py): then its button
// goes and the message stays. The server refuses a late undo anyway; without JavaScript the button
// stays and says so when pressed.
"use strict";

function expireUndo() {
  for (const form of document.querySelectorAll("form.undo[data-undo-seconds]")) {
    if (form.dataset.undoTimer) {
      continue;
    }
    form.dataset.undoTimer = "on";
    window.setTimeout(() => form.remove(), Number(form.dataset.undoSeconds) * 1000);
  }
}

document.addEventListener("DOMContentLoaded", expireUndo);
// After every swap, out-of-band ones included (the messages come out of band).
document.addEventListener("htmx:afterSettle", expireUndo);
