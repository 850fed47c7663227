// Leaflet is vendored as a classic script (static/vendor/leaflet-*/) that
// runs before the modules; this hands its global to them.
if (!window.L) throw new Error('Leaflet did not load');
export default window.L;
