// Choosing a role preset ticks its rights, and only those (the person can then adjust them).
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.matches("select[data-rights-preset]")) {
    return;
  }
  var option = select.options[select.selectedIndex];
  var wanted = (option.getAttribute("data-rights") || "").split(" ").filter(Boolean);
  if (!option.value) {
    return;
  }
  var boxes = select.form.querySelectorAll("input[type=checkbox][name=rights]");
  boxes.forEach(function (box) {
    box.checked = wanted.indexOf(box.value) !== -1;
  });
});
