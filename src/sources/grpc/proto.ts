// Loading the project's own .proto files (proto/ at the package root, shipped with the package
// like migrations/) and building gRPC channel credentials. Shared by the Hubble Relay and
// Goldmane sources and by the test fakes, so client and fake speak exactly the same schema.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** src/sources/grpc/ and dist/sources/grpc/ are both three levels below the package root. */
export const PROTO_DIR = fileURLToPath(new URL('../../../proto/', import.meta.url));

/**
 * The decoding contract with src/flows/hubble.ts: proto field names as written (the same keys
 * as `hubble observe -o jsonpb`), enums as names, 64-bit integers as numbers, zero values
 * omitted, and the name of the set oneof member reported.
 */
export const LOADER_OPTIONS: protoLoader.Options = Object.freeze({
  keepCase: true,
  enums: String,
  longs: Number,
  defaults: false,
  oneofs: true,
  includeDirs: [PROTO_DIR],
});

const cache = new Map<string, grpc.GrpcObject>();

/** Loads proto/<file> (e.g. `observer/observer.proto`) once per process. */
export function loadProto(file: string): grpc.GrpcObject {
  let pkg = cache.get(file);
  if (pkg === undefined) {
    pkg = grpc.loadPackageDefinition(protoLoader.loadSync(file, LOADER_OPTIONS));
    cache.set(file, pkg);
  }
  return pkg;
}

function child(
  obj: grpc.GrpcObject,
  name: string,
): grpc.GrpcObject | grpc.ServiceClientConstructor | grpc.ProtobufTypeDefinition | undefined {
  return obj[name];
}

/** The client constructor for `<pkg>.<Service>` from a loaded proto file. */
export function serviceConstructor(
  file: string,
  pkgName: string,
  service: string,
): grpc.ServiceClientConstructor {
  const pkg = child(loadProto(file), pkgName);
  const ctor =
    pkg === undefined || typeof pkg === 'function' ? undefined : child(pkg as grpc.GrpcObject, service);
  if (typeof ctor !== 'function') throw new Error(`proto ${file} has no service ${pkgName}.${service}`);
  return ctor;
}

export interface GrpcTlsOptions {
  /** PEM CA bundle that signed the server certificate (Hubble: the `ca.crt` of hubble-relay-client-certs). */
  readonly caFile?: string;
  /** Client certificate and key for mTLS (`tls.crt` / `tls.key`). Both or neither. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Name to verify the server certificate against, e.g. `instance.hubble-relay.cilium.io`. */
  readonly serverName?: string;
}

export interface ChannelSetup {
  readonly credentials: grpc.ChannelCredentials;
  readonly options: grpc.ChannelOptions;
}

/** Keepalive so a silently dead connection (NAT, middlebox) is noticed (reliability.md R5). */
export const KEEPALIVE_OPTIONS: grpc.ChannelOptions = Object.freeze({
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
});

/**
 * Reads certificate files at call time, so a reconnect picks up certificates rotated on disk
 * (certgen / cert-manager rotate them in place).
 */
export function channelSetup(tls: GrpcTlsOptions | undefined): ChannelSetup {
  if (tls === undefined)
    return { credentials: grpc.credentials.createInsecure(), options: { ...KEEPALIVE_OPTIONS } };
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new Error('mTLS needs both a client certificate and a key');
  }
  const read = (file: string | undefined): Buffer | null => (file === undefined ? null : readFileSync(file));
  const credentials = grpc.credentials.createSsl(read(tls.caFile), read(tls.keyFile), read(tls.certFile));
  const options: grpc.ChannelOptions = { ...KEEPALIVE_OPTIONS };
  if (tls.serverName !== undefined && tls.serverName !== '') {
    options['grpc.ssl_target_name_override'] = tls.serverName;
    options['grpc.default_authority'] = tls.serverName;
  }
  return { credentials, options };
}
