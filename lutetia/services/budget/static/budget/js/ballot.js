/* Ballot page: refresh the running totals as choices change (the server computes the
 * same totals on "Check my choices"; the page works without this file). */
(function () {
  "use strict";

  var form = document.querySelector("form[data-ballot]");
  if (!form) {
    return;
  }
  var kind = form.dataset.ballot;
  var amount = Number(form.dataset.amount) || 0;
  var maxPoints = Number(form.dataset.maxPoints) || 0;
  var maxProjects = Number(form.dataset.maxProjects) || 0;
  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function value(input) {
    if (input.type === "checkbox") {
      return input.checked ? 1 : 0;
    }
    var parsed = parseInt(input.value, 10);
    return parsed > 0 ? parsed : 0;
  }

  function show(name, number) {
    var element = form.querySelector('[data-total="' + name + '"]');
    if (element) {
      element.textContent = numbers.format(number);
    }
  }

  function warn(name, on) {
    var element = form.querySelector('[data-warning="' + name + '"]');
    if (element) {
      element.hidden = !on;
    }
    return on;
  }

  function update() {
    var count = 0;
    var cost = 0;
    var points = 0;
    form.querySelectorAll("[data-cost]").forEach(function (input) {
      var given = value(input);
      if (given > 0) {
        count += 1;
        cost += Number(input.dataset.cost);
        points += given;
      }
      var card = input.closest(".budget-project");
      if (card) {
        card.classList.toggle("budget-project--chosen", given > 0);
      }
    });
    show("count", count);
    show("cost", cost);
    show("left", amount - cost);
    show("points", points);
    show("points_left", maxPoints - points);
    var over = [
      warn("over_budget", kind === "knapsack" && cost > amount),
      warn("too_many_points", kind === "cumulative" && points > maxPoints),
      warn("too_many_projects", maxProjects > 0 && count > maxProjects),
    ].some(Boolean);
    var totals = form.querySelector(".ballot__totals");
    if (totals) {
      totals.classList.toggle("ballot__totals--over", over);
    }
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
