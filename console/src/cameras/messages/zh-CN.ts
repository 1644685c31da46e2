/** Chinese (the reference) strings of the GB/T 28181 cameras' admin page, under `cameras.*`. */
const zhCN = {
  cameras: {
    hint: '国标（GB/T 28181）摄像机与录像机：设备以 20 位编号和此处设置的密码注册到本平台（端口见部署配置）。',
    add: '添加设备',
    id: '设备编号（20 位）',
    name: '名称',
    password: '注册密码',
    township: '所属乡镇',
    none: '—',
    online: '在线',
    offline: '离线',
    channels: '通道数',
    refresh: '刷新目录',
    remove: '删除',
    confirmRemove: '删除设备 {name} 及其通道？',
    saved: '已保存',
    catalogDone: '已获取 {count} 个通道',
    unavailable: '未启用国标平台（BEACON_GB28181=on 后可用）',
  },
};

export default zhCN;
