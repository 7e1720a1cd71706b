// A client for Hubble's Peer service, read as Hubble Relay reads it: one Notify stream
// whose ChangeNotifications say which peers (agents) exist, where to dial them and
// which TLS server name to verify. Used to check netscope's agents against what Relay
// expects (and by anything that wants the peer list of a relay or an agent).
import { Observable } from 'rxjs';
import * as grpc from '@grpc/grpc-js';
import { enumNames } from './schema.ts';
import { PEER_SERVICE, type Msg } from './services.ts';
import { clientCredentials, type ClientTls } from './tls.ts';

export interface PeerChange {
  name: string;
  address: string;
  /** PEER_ADDED, PEER_DELETED, PEER_UPDATED. */
  type: string;
  /** Set when the peer serves TLS: the name to verify its certificate against. */
  tlsServerName?: string;
}

const PeerCtor = grpc.makeGenericClientConstructor(PEER_SERVICE, 'Peer');

/** Pure: a ChangeNotification as a PeerChange. */
export function peerChangeFrom(m: Msg, typeNames: Readonly<Record<number, string>> = enumNames('peer.ChangeNotificationType')): PeerChange {
  const tls = m.tls as Msg | undefined;
  const change: PeerChange = { name: String(m.name ?? ''), address: String(m.address ?? ''), type: typeNames[Number(m.type ?? 0)] ?? String(m.type) };
  if (tls?.server_name) change.tlsServerName = String(tls.server_name);
  return change;
}

/** The Notify stream of `target` (grpc-js target); errors with the call's error. */
export function watchPeers(target: string, tls?: ClientTls): Observable<PeerChange> {
  return new Observable<PeerChange>((sub) => {
    const options: grpc.ChannelOptions = {};
    if (tls?.serverName) options['grpc.ssl_target_name_override'] = tls.serverName;
    const creds = tls ? clientCredentials(tls, undefined) : grpc.credentials.createInsecure();
    const client = new PeerCtor(target, creds, options) as unknown as grpc.Client & { Notify(r: Msg): grpc.ClientReadableStream<Msg> };
    const call = client.Notify({});
    let closed = false;
    call.on('data', (m: Msg) => sub.next(peerChangeFrom(m)));
    call.on('error', (err: grpc.ServiceError) => {
      if (!closed) sub.error(new Error(`Peer.Notify on ${target}: ${err.details || err.message}`));
    });
    call.on('end', () => {
      if (!closed) sub.complete();
    });
    return () => {
      closed = true;
      call.cancel();
      client.close();
    };
  });
}
