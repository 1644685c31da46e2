/**
 * leaflet-geoman is a script that patches the global `L`; it must find
 * Leaflet there before it runs. Import this module before the plugin.
 */
import L from 'leaflet';

declare global {
  interface Window {
    L?: typeof L;
  }
}

window.L = L;
export default L;
