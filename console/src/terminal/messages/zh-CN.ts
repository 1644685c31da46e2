/** Chinese (the reference) strings of the township terminal and the command room's video wall, under `terminal.*`. */
const zhCN = {
  terminal: {
    title: '乡镇视频终端',
    status: {
      online: '已连接',
      connecting: '正在连接…',
      offline: '连接中断，正在重连…',
    },
    callCity: '呼叫市里',
    pulled: '正在被调阅（摄像头已共享给市指挥中心）',
    alert: {
      colour: { red: '红色预警', orange: '橙色预警', yellow: '黄色预警', blue: '蓝色预警' },
      renotified: '再次通知（第 {n} 次）',
      instruction: '防御指引',
      expires: '有效期至 {time}',
      ack: '签收',
      acking: '正在签收…',
      acked: '已签收',
      failed: '签收失败：{error}',
      more: '还有 {n} 条预警待签收',
    },
    tasks: {
      title: '调度任务',
      empty: '暂无任务',
      deadline: '期限 {time}',
      overdue: '已超时',
      ack: '签收',
      done: '完成',
      notePlaceholder: '完成情况（可选）',
      status: { sent: '待签收', acknowledged: '已签收', done: '已完成' },
      loadFailed: '任务加载失败：{error}',
    },
    meeting: {
      invited: '市里发起会议，正在自动接入…',
    },
    wall: {
      empty: '点击地图上的乡镇调阅视频',
      starting: '正在请求…',
      connecting: '正在连接…',
      waiting: '等待终端画面…',
      failed: '连接失败',
      close: '关闭',
      full: '视频墙最多 9 路画面',
      pullFailed: '调阅失败（{township}）：{code}',
      ptz: {
        up: '上',
        down: '下',
        left: '左',
        right: '右',
        zoomIn: '放大',
        zoomOut: '缩小',
        preset: '预置位',
        call: '调用',
      },
    },
    errors: {
      terminal_offline: '终端不在线',
      invalid_transition: '状态不允许此操作',
      cap_invalid: '预警格式有误',
    },
  },
};

export type TerminalMessages = typeof zhCN;
export default zhCN;
