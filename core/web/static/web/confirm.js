// Ask before submitting a form marked data-confirm (inline handlers are barred by the CSP).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
