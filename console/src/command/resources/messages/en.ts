import type { ResourceMessages } from './zh-CN.ts';

const en: ResourceMessages = {
  resources: {
    layers: {
      title: 'Resource layers',
      teams: 'Rescue teams',
      depots: 'Depots',
      shelters: 'Shelters',
    },
    nearest: {
      title: 'Nearby resources',
      teams: 'Nearest rescue teams',
      depots: 'Nearest depots',
      shelters: 'Nearest shelters',
      experts: 'Experts',
      none: 'None',
      km: '{km} km',
      people: '{n} people',
      room: 'Room for {free} ({occupancy}/{capacity})',
      dispatch: 'Dispatch',
      dispatched: '“{name}” dispatched; the task went to its unit',
      returned: 'Mark returned',
      ready: 'Ready again',
    },
  },
};

export default en;
