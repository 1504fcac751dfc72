/**
 * The consultation room (`/demo/consult.html?room=<id>`): two or more browsers in one room, one presents
 * and the others follow. Each participant's viewer loads the images with that participant's own token
 * (here: the demo session's); only view states travel, through the demo relay, as the viewer's
 * `syncTransport`. The page adds the role switch, the participant list and the connection indicator.
 */
import type { FilmlessSyncTransport } from '../src/index.js';
import { type RelayParticipant, RelayConnection } from './consult-socket.js';
import { LOCALES, announceLanguage, fill, initialLanguage, pickLanguage, translateDocument, type Language, type Messages } from './demo-i18n.js';
import { fetchDemoSession } from './demo-session-client.js';

type Key =
  | 'title' | 'language' | 'role' | 'study' | 'participants' | 'invite' | 'inviteHint' | 'presenter' | 'follower' | 'free'
  | 'youPresent' | 'youFollow' | 'becomePresenter' | 'becomeFollower' | 'you' | 'connecting' | 'open' | 'reconnecting' | 'chooseStudy' | 'nobody';

const MESSAGES: Messages<Key> = {
  en: {
    title: 'Consultation room', language: 'Language', role: 'Your role', study: 'Study to present', participants: 'Participants', invite: 'Invite',
    inviteHint: 'Open this address in another browser to join the room:', presenter: 'presenting', follower: 'following', free: 'not synced',
    youPresent: 'You present: the others see what you see.', youFollow: 'You follow the presenter.', becomePresenter: 'Present', becomeFollower: 'Follow',
    you: '(you)', connecting: 'Connecting…', open: 'Connected', reconnecting: 'Connection lost, reconnecting…', chooseStudy: 'Choose a study', nobody: 'Nobody else yet',
  },
  tr: {
    title: 'Konsültasyon odası', language: 'Dil', role: 'Rolünüz', study: 'Sunulacak tetkik', participants: 'Katılımcılar', invite: 'Davet',
    inviteHint: 'Odaya katılmak için bu adresi başka bir tarayıcıda açın:', presenter: 'sunuyor', follower: 'izliyor', free: 'eşitlenmiyor',
    youPresent: 'Sunum yapıyorsunuz: diğerleri sizin gördüğünüzü görür.', youFollow: 'Sunum yapanı izliyorsunuz.', becomePresenter: 'Sun', becomeFollower: 'İzle',
    you: '(siz)', connecting: 'Bağlanıyor…', open: 'Bağlı', reconnecting: 'Bağlantı koptu, yeniden bağlanıyor…', chooseStudy: 'Bir tetkik seçin', nobody: 'Henüz başka kimse yok',
  },
  vi: {
    title: 'Phòng hội chẩn', language: 'Ngôn ngữ', role: 'Vai trò của bạn', study: 'Ca chụp để trình bày', participants: 'Người tham gia', invite: 'Mời',
    inviteHint: 'Mở địa chỉ này trên trình duyệt khác để vào phòng:', presenter: 'đang trình bày', follower: 'đang theo dõi', free: 'không đồng bộ',
    youPresent: 'Bạn đang trình bày: người khác thấy những gì bạn thấy.', youFollow: 'Bạn đang theo người trình bày.', becomePresenter: 'Trình bày', becomeFollower: 'Theo dõi',
    you: '(bạn)', connecting: 'Đang kết nối…', open: 'Đã kết nối', reconnecting: 'Mất kết nối, đang kết nối lại…', chooseStudy: 'Chọn một ca chụp', nobody: 'Chưa có ai khác',
  },
};

const viewer = document.querySelector('filmless-viewer')!;
const languageSelect = document.querySelector<HTMLSelectElement>('#language')!;
const connection = document.querySelector<HTMLElement>('#connection')!;
const roleText = document.querySelector<HTMLElement>('#role-text')!;
const roleSwitch = document.querySelector<HTMLButtonElement>('#role-switch')!;
const studySelect = document.querySelector<HTMLSelectElement>('#study')!;
const participantList = document.querySelector<HTMLUListElement>('#participants')!;
const roomLink = document.querySelector<HTMLAnchorElement>('#room-link')!;

let language: Language = initialLanguage();
const t = (key: Key, values?: Record<string, string | number>): string => fill(MESSAGES[language][key], values);

// The room: from the address, or a new random one written into it (to share with the others).
const address = new URL(location.href);
let room = address.searchParams.get('room') ?? '';
if (!/^[A-Za-z0-9_-]{1,64}$/.test(room)) {
  room = crypto.randomUUID().slice(0, 8);
  address.searchParams.set('room', room);
  history.replaceState(history.state, '', address);
}
const role = address.searchParams.get('role');
viewer.syncRole = role === 'presenter' ? 'presenter' : 'follower';

let state: 'connecting' | 'open' | 'reconnecting' = 'connecting';
let participants: RelayParticipant[] = [];
let self = '';

let session = await fetchDemoSession();
viewer.setAttribute('dicomweb-url', session.dicomwebUrl);
viewer.token = session.token; // this participant's own token: it never travels through the room
viewer.tokenProvider = async () => (await fetchDemoSession()).token;

for (const study of session.studies) {
  const option = document.createElement('option');
  option.value = study.studyInstanceUID;
  option.textContent = [study.accessionNumber, study.modalities.join('/'), study.description].filter(Boolean).join(' · ');
  studySelect.append(option);
}
studySelect.addEventListener('change', () => {
  if (!studySelect.value) return;
  viewer.accessionNumber = '';
  viewer.studyUid = studySelect.value;
});

/** A fresh room token for each connection: the relay checks it; it is not the DICOMweb token. */
async function socketAddress(): Promise<string> {
  const ask = () =>
    fetch('/demo/consult/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${session.token}` },
      body: JSON.stringify({ room }),
    });
  let response = await ask();
  if (response.status === 401) {
    // The demo server restarted (a new session): ask for the session again, as a hospital page would re-login.
    session = await fetchDemoSession();
    response = await ask();
  }
  if (!response.ok) throw new Error(`room token: HTTP ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  const url = new URL('/demo/consult/ws', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('room', room);
  url.searchParams.set('token', token);
  return url.href;
}

new RelayConnection({
  address: socketAddress,
  state: (next) => {
    state = next;
    render();
  },
  participants: (list) => {
    participants = list;
    render();
  },
  transport: (transport: FilmlessSyncTransport) => {
    viewer.syncTransport = transport;
  },
  self: (id) => {
    if (id === self) return;
    self = id;
    render();
  },
});

roleSwitch.addEventListener('click', () => {
  viewer.syncRole = viewer.syncRole === 'presenter' ? 'follower' : 'presenter';
  render();
});
viewer.addEventListener('filmless-syncrole', () => render());

function render(): void {
  announceLanguage(language);
  languageSelect.value = language;
  viewer.lang = language;
  translateDocument(MESSAGES[language]);
  connection.dataset.state = state;
  connection.textContent = t(state);
  const presenting = viewer.syncRole === 'presenter';
  roleText.textContent = t(presenting ? 'youPresent' : 'youFollow');
  roleSwitch.textContent = t(presenting ? 'becomeFollower' : 'becomePresenter');
  document.querySelector<HTMLElement>('#study-section')!.hidden = !presenting || session.studies.length === 0;
  if (!studySelect.querySelector('option[value=""]')) studySelect.prepend(new Option(t('chooseStudy'), ''));
  studySelect.querySelector<HTMLOptionElement>('option[value=""]')!.textContent = t('chooseStudy');
  const others = participants.filter((p) => p.id !== self);
  participantList.replaceChildren(
    ...participants.map((p, index) => {
      const item = document.createElement('li');
      const name = p.id === self ? `#${index + 1} ${t('you')}` : `#${index + 1}`;
      item.textContent = `${name}: ${t(p.role === 'presenter' ? 'presenter' : p.role === 'follower' ? 'follower' : 'free')}`;
      item.classList.toggle('self', p.id === self);
      return item;
    }),
    ...(others.length === 0 ? [Object.assign(document.createElement('li'), { className: 'hint', textContent: t('nobody') })] : []),
  );
  const invite = new URL(location.href);
  invite.searchParams.delete('role');
  roomLink.href = invite.href;
  roomLink.textContent = invite.href;
}

languageSelect.addEventListener('change', () => {
  language = pickLanguage([languageSelect.value], language);
  render();
});
document.documentElement.lang = LOCALES[language] ? language : 'en';
render();
