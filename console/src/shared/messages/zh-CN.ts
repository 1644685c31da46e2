/** Chinese (the reference) strings every page uses: app, sign-in, roles, error codes. */
const zhCN = {
  app: {
    title: 'Beacon 烽火',
    subtitle: '楚雄市视频会议与应急指挥系统',
  },
  lang: {
    /** Label of the switch: the language it switches to. */
    other: 'English',
  },
  nav: {
    logout: '退出登录',
  },
  role: {
    admin: '系统管理员',
    chair: '会议主席',
    duty_officer: '值班员',
    township: '乡镇终端',
    department: '部门账号',
    service: '服务账号',
  },
  login: {
    title: '用户登录',
    username: '用户名',
    password: '密码',
    submit: '登录',
    submitting: '正在登录…',
    required: '请输入用户名和密码',
    badCredentials: '用户名或密码错误',
    certHelp: '其他终端首次使用：安装根证书',
  },
  errors: {
    bad_request: '请求参数有误',
    unauthorized: '请重新登录',
    token_expired: '登录已过期，请重新登录',
    forbidden: '没有权限',
    not_found: '资源不存在',
    room_not_found: '会议不存在',
    room_locked: '会议已锁定，无法加入',
    room_ended: '会议已结束',
    resume_failed: '会话恢复失败，正在重新加入',
    invalid_state: '当前状态下无法执行该操作',
    recording_failed: '录制失败',
    not_in_room: '尚未加入会议',
    already_in_room: '您已在该会议中',
    transport_not_found: '媒体通道不存在',
    producer_not_found: '媒体流不存在',
    consumer_not_found: '媒体流不存在',
    cannot_consume: '无法接收该媒体流',
    media_unavailable: '媒体服务暂不可用，请稍后再试',
    store_unavailable: '数据库暂不可用，请稍后再试',
    node_unavailable: '承载本会议的服务器暂不可用，请几秒后重试',
    media_error: '媒体服务出错',
    rate_limited: '操作过于频繁，请稍后再试',
    wrong_pin: '会议密码错误',
    sip_unavailable: '电话网关不可用',
    extension_not_found: '未找到该分机号',
    internal: '服务器内部错误',
    timeout: '服务器响应超时',
    disconnected: '与服务器的连接已断开',
    network: '无法连接服务器，请检查网络',
    media_denied: '无法打开摄像头/麦克风',
  },
};

export type SharedMessages = typeof zhCN;
export default zhCN;
