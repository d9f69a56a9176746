// Progressive enhancement of every <textarea data-richtext>: a small editor (bold, italic, lists,
// link) whose HTML is copied into the textarea, which the server sanitises. Without JavaScript the
// textarea is sent as plain text and becomes paragraphs.
(function () {
  "use strict";

  var TOOLS = [
    { command: "bold", label: "Gras", text: "G", shortcut: "Ctrl+B" },
    { command: "italic", label: "Italique", text: "I", shortcut: "Ctrl+I" },
    { command: "insertUnorderedList", label: "Liste à puces", text: "•" },
    { command: "insertOrderedList", label: "Liste numérotée", text: "1." },
    { command: "createLink", label: "Lien", text: "Lien" }
  ];

  // The tags the server keeps (richtext.py); HTML sent back with an error is rebuilt from these only,
  // parsed in an inert document so that nothing in it runs.
  var ALLOWED = ["P", "BR", "STRONG", "B", "EM", "I", "U", "UL", "OL", "LI", "A", "BLOCKQUOTE", "H3", "H4"];

  function copyAllowed(source, target) {
    Array.prototype.forEach.call(source.childNodes, function (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        target.appendChild(document.createTextNode(node.nodeValue));
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        if (ALLOWED.indexOf(node.tagName) < 0) {
          if (node.tagName !== "SCRIPT" && node.tagName !== "STYLE") { copyAllowed(node, target); }
          return;
        }
        var copy = document.createElement(node.tagName);
        var href = node.tagName === "A" ? node.getAttribute("href") || "" : "";
        if (/^(https?:|mailto:)/i.test(href)) { copy.setAttribute("href", href); }
        copyAllowed(node, copy);
        target.appendChild(copy);
      }
    });
  }

  function labelOf(textarea) {
    var label = textarea.id && document.querySelector('label[for="' + textarea.id + '"]');
    return label || null;
  }

  function refreshStates(toolbar) {
    toolbar.querySelectorAll("button[aria-pressed]").forEach(function (button) {
      var on = false;
      try { on = document.queryCommandState(button.dataset.command); } catch (error) { on = false; }
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function enhance(textarea) {
    if (textarea.dataset.richtextReady) { return; }
    textarea.dataset.richtextReady = "1";

    var wrapper = document.createElement("div");
    wrapper.className = "richtext";
    var toolbar = document.createElement("div");
    toolbar.className = "richtext-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Mise en forme");

    var editor = document.createElement("div");
    editor.className = "richtext-editor";
    editor.contentEditable = "true";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    editor.id = (textarea.id || "richtext") + "_editor";
    var label = labelOf(textarea);
    if (label) {
      if (!label.id) { label.id = editor.id + "_label"; }
      editor.setAttribute("aria-labelledby", label.id);
      // A click on the label goes to the editor, as it went to the textarea.
      label.addEventListener("click", function (event) { event.preventDefault(); editor.focus(); });
    }
    var described = textarea.getAttribute("aria-describedby");
    if (described) { editor.setAttribute("aria-describedby", described); }
    if (textarea.hasAttribute("aria-invalid")) { editor.setAttribute("aria-invalid", textarea.getAttribute("aria-invalid")); }
    if (textarea.required) {
      editor.setAttribute("aria-required", "true");
      // A hidden required field would block the form without a word: the server checks it.
      textarea.required = false;
    }
    // What was typed (and sent back with an error) comes back: plain text stays text.
    if (textarea.value) {
      if (/<\s*\/?\s*[a-zA-Z][^>]*>/.test(textarea.value)) {
        copyAllowed(new DOMParser().parseFromString(textarea.value, "text/html").body, editor);
      } else {
        textarea.value.split(/\n\s*\n/).forEach(function (block) {
          var paragraph = document.createElement("p");
          block.split("\n").forEach(function (line, index) {
            if (index) { paragraph.appendChild(document.createElement("br")); }
            paragraph.appendChild(document.createTextNode(line));
          });
          editor.appendChild(paragraph);
        });
      }
    }

    TOOLS.forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.dataset.command = tool.command;
      button.textContent = tool.text;
      button.setAttribute("aria-label", tool.label);
      button.title = tool.shortcut ? tool.label + " (" + tool.shortcut + ")" : tool.label;
      if (tool.command !== "createLink") { button.setAttribute("aria-pressed", "false"); }
      if (tool.command === "bold") { button.style.fontWeight = "700"; }
      if (tool.command === "italic") { button.style.fontStyle = "italic"; }
      // Keep the selection in the editor when the button is pressed with the mouse.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        editor.focus();
        if (tool.command === "createLink") {
          var url = window.prompt("Adresse du lien (https://…)", "https://");
          if (!url || url === "https://") { return; }
          if (!/^(https?:|mailto:)/i.test(url)) { url = "https://" + url; }
          document.execCommand("createLink", false, url);
        } else {
          document.execCommand(tool.command, false, null);
        }
        sync();
        refreshStates(toolbar);
      });
      toolbar.appendChild(button);
    });

    // Arrow keys move between the toolbar's buttons (one tab stop for the whole toolbar).
    var buttons = toolbar.querySelectorAll("button");
    buttons.forEach(function (button, index) { button.tabIndex = index === 0 ? 0 : -1; });
    toolbar.addEventListener("keydown", function (event) {
      var list = Array.prototype.slice.call(buttons);
      var index = list.indexOf(document.activeElement);
      if (index < 0) { return; }
      var next = null;
      if (event.key === "ArrowRight") { next = list[(index + 1) % list.length]; }
      if (event.key === "ArrowLeft") { next = list[(index - 1 + list.length) % list.length]; }
      if (event.key === "Home") { next = list[0]; }
      if (event.key === "End") { next = list[list.length - 1]; }
      if (next) {
        event.preventDefault();
        list[index].tabIndex = -1;
        next.tabIndex = 0;
        next.focus();
      }
    });

    // New lines as paragraphs (<p>, kept by the server's allowlist) rather than <div>.
    editor.addEventListener("focus", function () {
      try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (error) { /* older browsers */ }
    });

    function sync() {
      var empty = !editor.textContent.trim() && !editor.querySelector("li");
      textarea.value = empty ? "" : editor.innerHTML;
    }

    editor.addEventListener("input", sync);
    editor.addEventListener("keyup", function () { refreshStates(toolbar); });
    editor.addEventListener("mouseup", function () { refreshStates(toolbar); });
    if (textarea.form) { textarea.form.addEventListener("submit", sync); }

    textarea.hidden = true;
    textarea.setAttribute("aria-hidden", "true");
    textarea.tabIndex = -1;
    wrapper.appendChild(toolbar);
    wrapper.appendChild(editor);
    textarea.parentNode.insertBefore(wrapper, textarea.nextSibling);
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("textarea[data-richtext]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  } else {
    enhanceAll(document);
  }
  // Parts of a page swapped in by htmx get their editors too.
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
}());
