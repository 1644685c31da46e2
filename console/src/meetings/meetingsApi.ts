/**
 * REST calls of meetings on a schedule (会议预约), shared by the booking page
 * and the terminals' notices. Materials go up one by one as raw bodies (the
 * server checks their content) before the booking that names them.
 */
import type {
  BookingAttendanceRow,
  BookingEdit,
  BookingSaved,
  BookingView,
  MaterialPages,
  MaterialView,
  MeetingNotice,
  MinutesFileView,
  MinutesFinalised,
  MinutesSave,
  MinutesView,
  NewBooking,
} from '@beacon/protocol';
import { api, downloadWithToken, errorFromResponse } from '../api.ts';
import { ConsoleError } from '../errors.ts';
import { session } from '../session.ts';

const token = () => session.token;

/** The booking body as the form sends it: defaults the server fills may be left out. */
export type BookingInput = Omit<NewBooking, 'reminders' | 'record' | 'dialPhones' | 'materialIds' | 'repeat'> &
  Partial<NewBooking>;

export async function uploadMaterial(file: File): Promise<MaterialView> {
  const path = `/meetings/materials?name=${encodeURIComponent(file.name)}`;
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        ...(session.token ? { authorization: `Bearer ${session.token}` } : {}),
      },
      body: file,
    });
  } catch (cause) {
    throw new ConsoleError('network', `POST /meetings/materials: ${String(cause)}`, { cause });
  }
  if (!response.ok) throw await errorFromResponse(response, 'POST /meetings/materials');
  return (await response.json()) as MaterialView;
}

export const meetingsApi = {
  list: (from: string, to: string) =>
    api<BookingView[]>(`/meetings?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, {
      token: token(),
    }),
  get: (id: string) => api<BookingView>(`/meetings/${id}`, { token: token() }),
  create: (body: BookingInput) => api<BookingSaved>('/meetings', { method: 'POST', body, token: token() }),
  move: (id: string, startsAt: string, endsAt: string) =>
    api<BookingSaved>(`/meetings/${id}/move`, { method: 'POST', body: { startsAt, endsAt }, token: token() }),
  cancel: (id: string, reason: string) =>
    api<BookingView>(`/meetings/${id}/cancel`, { method: 'POST', body: { reason }, token: token() }),
  attendance: (id: string) => api<BookingAttendanceRow[]>(`/meetings/${id}/invitee-attendance`, { token: token() }),
  notices: () => api<MeetingNotice[]>('/meetings/notices', { token: token() }),
  delivered: (bookingIds: string[]) =>
    api<void>('/meetings/notices/delivered', { method: 'POST', body: { bookingIds }, token: token() }),
  receipt: (id: string, attendees: string[]) =>
    api<MeetingNotice>(`/meetings/${id}/receipt`, { method: 'POST', body: { attendees }, token: token() }),
  download: (material: MaterialView) => downloadWithToken(`/meetings/materials/${material.id}`, material.name, token()),
  edit: (id: string, body: BookingEdit) =>
    api<BookingSaved>(`/meetings/${id}`, { method: 'PATCH', body, token: token() }),
  minutes: (id: string) => api<MinutesView>(`/meetings/${id}/minutes`, { token: token() }),
  saveMinutes: (id: string, body: MinutesSave) =>
    api<MinutesView>(`/meetings/${id}/minutes`, { method: 'PUT', body, token: token() }),
  dispatchAction: (id: string, actionId: string) =>
    api<MinutesView>(`/meetings/${id}/minutes/actions/${actionId}/task`, { method: 'POST', token: token() }),
  exportMinutes: (booking: BookingView, as: 'docx' | 'pdf') =>
    downloadWithToken(`/meetings/${booking.id}/minutes.${as}`, `${booking.title}-会议纪要.${as}`, token()),
  /** 定稿签发: the minutes version on screen becomes the meeting's stored DOCX/PDF (the next file version). */
  finaliseMinutes: (id: string, version: number) =>
    api<MinutesFinalised>(`/meetings/${id}/minutes/finalise`, { method: 'POST', body: { version }, token: token() }),
  minutesFiles: (id: string) => api<MinutesFileView[]>(`/meetings/${id}/minutes/files`, { token: token() }),
  /** The stored bytes as signed (the url is the server's, under /api/v1). */
  downloadMinutesFile: (file: MinutesFileView) =>
    downloadWithToken(file.url.replace(/^\/api\/v1/, ''), file.name, token()),
  pages: (materialId: string) => api<MaterialPages>(`/meetings/materials/${materialId}/pages`, { token: token() }),
};
