/** The tab's title: the room, with the unread chat count in front while there is any ("(3) standup · Parley"). */
export function tabTitle(room: string, unread: number): string {
  const title = `${room} · Parley`;
  return unread > 0 ? `(${unread}) ${title}` : title;
}
