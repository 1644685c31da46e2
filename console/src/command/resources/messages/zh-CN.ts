/** The command room's resource strings (the reference language; en.ts is typed by it). */
const zhCN = {
  resources: {
    layers: {
      title: '资源图层',
      teams: '救援队伍',
      depots: '物资库',
      shelters: '避难场所',
    },
    nearest: {
      title: '附近资源',
      teams: '最近的救援队伍',
      depots: '最近的物资库',
      shelters: '最近的避难场所',
      experts: '专家',
      none: '暂无',
      km: '{km} 公里',
      people: '{n} 人',
      room: '可容纳 {free} 人（{occupancy}/{capacity}）',
      dispatch: '出动',
      dispatched: '已派出“{name}”，任务已发往其所属单位',
      returned: '标记已返回',
      ready: '恢复待命',
    },
  },
};

export type ResourceMessages = typeof zhCN;
export default zhCN;
