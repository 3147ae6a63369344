// The Digests page: the browser's own time zone on a first visit, and only the fields the chosen cadence uses.
(function () {
  const form = document.getElementById('digest-settings');
  if (!form) return;
  const zone = document.getElementById('timeZone');
  if (form.dataset.firstVisit === 'true' && zone) {
    try {
      const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (browserZone) zone.value = browserZone;
    } catch (e) { /* keep the server's default (UTC) */ }
  }
  const cadence = document.getElementById('cadence');
  const show = () => {
    document.getElementById('day-field').hidden = cadence.value !== 'Weekly';
    document.getElementById('cron-field').hidden = cadence.value !== 'Cron';
  };
  cadence.addEventListener('change', show);
  show();
})();
