/** Every client event and its handler; the type makes a missing one a compile error. */
import type { HandlerTable } from '../types.ts';
import { alertAck } from './alertAck.ts';
import { alertReceived } from './alertReceived.ts';
import { authRenew } from './authRenew.ts';
import { chatSend } from './chatSend.ts';
import { consumerPause } from './consumerPause.ts';
import { consumerResume } from './consumerResume.ts';
import { consumerSetLayers } from './consumerSetLayers.ts';
import { dutyCallAnswer } from './dutyCallAnswer.ts';
import { dutyCallDecline } from './dutyCallDecline.ts';
import { materialPresent } from './materialPresent.ts';
import { moderationEnd } from './moderationEnd.ts';
import { moderationLock } from './moderationLock.ts';
import { moderationMute } from './moderationMute.ts';
import { moderationMuteAll } from './moderationMuteAll.ts';
import { moderationRemove } from './moderationRemove.ts';
import { moderationSetMode } from './moderationSetMode.ts';
import { moderationSetRole } from './moderationSetRole.ts';
import { moderationUnmute } from './moderationUnmute.ts';
import { phoneCount } from './phoneCount.ts';
import { phoneDial } from './phoneDial.ts';
import { phoneMedia } from './phoneMedia.ts';
import { phoneState } from './phoneState.ts';
import { phoneVideo } from './phoneVideo.ts';
import { phoneView } from './phoneView.ts';
import { pollingPause } from './pollingPause.ts';
import { pollingResume } from './pollingResume.ts';
import { pollingStart } from './pollingStart.ts';
import { pollingStop } from './pollingStop.ts';
import { producerClose } from './producerClose.ts';
import { producerCreate } from './producerCreate.ts';
import { producerPause } from './producerPause.ts';
import { producerResume } from './producerResume.ts';
import { pullStart } from './pullStart.ts';
import { pullStop } from './pullStop.ts';
import { receiveSettings } from './receiveSettings.ts';
import { recordingStart } from './recordingStart.ts';
import { recordingStop } from './recordingStop.ts';
import { rollcallSet } from './rollcallSet.ts';
import { roomJoin } from './roomJoin.ts';
import { roomLeave } from './roomLeave.ts';
import { roomReady } from './roomReady.ts';
import { roomResume } from './roomResume.ts';
import { sipAlertAck } from './sipAlertAck.ts';
import { sipAlertCallState } from './sipAlertCallState.ts';
import { sipBroadcastState } from './sipBroadcastState.ts';
import { sipDialState } from './sipDialState.ts';
import { sipEnter } from './sipEnter.ts';
import { sipLegToken } from './sipLegToken.ts';
import { sipPinLockout } from './sipPinLockout.ts';
import { sipResolve } from './sipResolve.ts';
import { sipStatus } from './sipStatus.ts';
import { sipSubscribers } from './sipSubscribers.ts';
import { sipTap } from './sipTap.ts';
import { sipUntap } from './sipUntap.ts';
import { sipUpstreamIn } from './sipUpstreamIn.ts';
import { speakCancel } from './speakCancel.ts';
import { speakDeny } from './speakDeny.ts';
import { speakGrant } from './speakGrant.ts';
import { speakRequest } from './speakRequest.ts';
import { taskAck } from './taskAck.ts';
import { taskDone } from './taskDone.ts';
import { transportConnect } from './transportConnect.ts';
import { transportCreate } from './transportCreate.ts';
import { transportRestartIce } from './transportRestartIce.ts';
import { upstreamConnect, upstreamDisconnect, upstreamMute, upstreamStatus } from './upstreamLink.ts';

export { leaveCurrentRoom, socketGone } from './roomLeave.ts';

export const handlers: HandlerTable = {
  'room:join': roomJoin,
  'room:leave': roomLeave,
  'room:ready': roomReady,
  'room:resume': roomResume,
  'auth:renew': authRenew,
  'transport:create': transportCreate,
  'transport:connect': transportConnect,
  'transport:restartIce': transportRestartIce,
  'producer:create': producerCreate,
  'producer:pause': producerPause,
  'producer:resume': producerResume,
  'producer:close': producerClose,
  'consumer:resume': consumerResume,
  'consumer:pause': consumerPause,
  'consumer:setLayers': consumerSetLayers,
  'receive:settings': receiveSettings,
  'moderation:mute': moderationMute,
  'moderation:unmute': moderationUnmute,
  'moderation:muteAll': moderationMuteAll,
  'moderation:remove': moderationRemove,
  'moderation:lock': moderationLock,
  'moderation:end': moderationEnd,
  'moderation:setRole': moderationSetRole,
  'moderation:setMode': moderationSetMode,
  'rollcall:set': rollcallSet,
  'polling:start': pollingStart,
  'polling:pause': pollingPause,
  'polling:resume': pollingResume,
  'polling:stop': pollingStop,
  'speak:request': speakRequest,
  'speak:cancel': speakCancel,
  'speak:grant': speakGrant,
  'speak:deny': speakDeny,
  'chat:send': chatSend,
  'recording:start': recordingStart,
  'recording:stop': recordingStop,
  'material:present': materialPresent,
  'sip:resolve': sipResolve,
  'sip:enter': sipEnter,
  'sip:upstreamIn': sipUpstreamIn,
  'sip:pinLockout': sipPinLockout,
  'sip:legToken': sipLegToken,
  'sip:tap': sipTap,
  'sip:untap': sipUntap,
  'sip:status': sipStatus,
  'sip:dialState': sipDialState,
  'sip:alertAck': sipAlertAck,
  'sip:alertCallState': sipAlertCallState,
  'sip:broadcastState': sipBroadcastState,
  'sip:subscribers': sipSubscribers,
  'phone:media': phoneMedia,
  'phone:video': phoneVideo,
  'phone:view': phoneView,
  'phone:state': phoneState,
  'phone:count': phoneCount,
  'phone:dial': phoneDial,
  'upstream:connect': upstreamConnect,
  'upstream:disconnect': upstreamDisconnect,
  'upstream:mute': upstreamMute,
  'upstream:status': upstreamStatus,
  'alert:received': alertReceived,
  'alert:ack': alertAck,
  'task:ack': taskAck,
  'task:done': taskDone,
  'pull:start': pullStart,
  'pull:stop': pullStop,
  'duty:call:answer': dutyCallAnswer,
  'duty:call:decline': dutyCallDecline,
};
