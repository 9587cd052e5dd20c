// The admin's periodic-task form (templates/admin/djcelery/change_periodictask_form.html, from
// django-celery-beat, whose inline script this was): when a crontab is chosen, its help text says
// the schedule in words. Loaded without defer, right after the form, like the script it replaces.
(function ($) {
  "use strict";

  const script = document.getElementById("periodic-task-overrides");
  const readableCrontabs = JSON.parse(document.getElementById("readable-crontabs").textContent);
  const originalCrontabHelp = script.dataset.crontabHelp;

  function updateCrontabHelp(additional) {
    $(".field-crontab .help")
      .text(originalCrontabHelp)
      .append(document.createElement("br"), document.createTextNode(`Translation: ${additional}`));
  }

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    updateCrontabHelp(readableCrontabs[$("#id_crontab").val()]);
  });
})(django.jQuery);
