import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Socket } from 'socket.io';

/**
 * The host's own socket.io gateway (served by `IoAdapter` on /socket.io/), which keeps working
 * beside Parley's: `SignalingAdapter` hands every gateway that is not Parley's to the adapter it wraps.
 */
@WebSocketGateway({ namespace: 'chat' })
export class ChatGateway {
  @SubscribeMessage('echo')
  echo(@MessageBody() body: { text?: unknown }, @ConnectedSocket() socket: Socket) {
    // Answered as the acknowledgement of the client's emit.
    return { text: typeof body?.text === 'string' ? body.text : '', from: socket.id ? 'chat gateway' : 'nobody' };
  }
}
