// The application the demo cluster runs: Google's Online Boutique microservices
// demo (its real services, ports, gRPC methods and frontend handlers) plus
// kube-dns and one misconfigured debugging pod. Pure data and pure functions of
// an Rng; cluster.ts places it on nodes and simulator.ts turns it into flows.

import type { Rng } from './prng.ts';

/** How a workload's server speaks: gRPC over HTTP/2, HTTP/1.1, Redis (plain TCP) or DNS. */
export type ServerProtocol = 'grpc' | 'http' | 'redis' | 'dns' | 'none';

export interface LatencyProfile {
  /** Median of the service's own processing time (without its callees), ms. */
  medianMs: number;
  /** Log-normal shape: p95 = median * e^(1.645 sigma). */
  sigma: number;
}

export interface WorkloadSpec {
  /** Deployment name, `app` label, service account and Service name. */
  name: string;
  /** `app`: the configured application namespace; `system`: kube-system. */
  scope: 'app' | 'system';
  replicas: number;
  image: string;
  containerPort?: number;
  /** The Service in front of it: port clients dial (targetPort = containerPort). */
  servicePort?: number;
  servicePortName?: string;
  protocol: ServerProtocol;
  /** Fully qualified gRPC service name for gRPC servers. */
  grpcService?: string;
  latency: LatencyProfile;
  /** Probability that one request fails in the service itself. */
  errorRate: number;
  /** The pod-selecting label key (Online Boutique uses `app`, CoreDNS `k8s-app`). */
  selectorKey: 'app' | 'k8s-app';
  selectorValue: string;
  serviceAccount: string;
}

const OB = 'us-central1-docker.pkg.dev/google-samples/microservices-demo';

export const WORKLOADS: readonly WorkloadSpec[] = [
  w('frontend', 2, `${OB}/frontend:v0.10.2`, 8080, 80, 'http', 'http', undefined, 1.6, 0.5, 0.001),
  w('cartservice', 2, `${OB}/cartservice:v0.10.2`, 7070, 7070, 'grpc', 'grpc', 'hipstershop.CartService', 1.8, 0.55, 0.004),
  w('redis-cart', 1, 'redis:alpine', 6379, 6379, 'tcp-redis', 'redis', undefined, 0.12, 0.4, 0),
  w('productcatalogservice', 2, `${OB}/productcatalogservice:v0.10.2`, 3550, 3550, 'grpc', 'grpc', 'hipstershop.ProductCatalogService', 0.8, 0.5, 0.0005),
  w('currencyservice', 2, `${OB}/currencyservice:v0.10.2`, 7000, 7000, 'grpc', 'grpc', 'hipstershop.CurrencyService', 0.9, 0.5, 0.001),
  w('paymentservice', 1, `${OB}/paymentservice:v0.10.2`, 50051, 50051, 'grpc', 'grpc', 'hipstershop.PaymentService', 1.3, 0.5, 0.002),
  w('shippingservice', 1, `${OB}/shippingservice:v0.10.2`, 50051, 50051, 'grpc', 'grpc', 'hipstershop.ShippingService', 0.5, 0.45, 0.0005),
  w('emailservice', 1, `${OB}/emailservice:v0.10.2`, 8080, 5000, 'grpc', 'grpc', 'hipstershop.EmailService', 4.0, 0.5, 0.003),
  w('checkoutservice', 1, `${OB}/checkoutservice:v0.10.2`, 5050, 5050, 'grpc', 'grpc', 'hipstershop.CheckoutService', 1.0, 0.5, 0.001),
  w('recommendationservice', 1, `${OB}/recommendationservice:v0.10.2`, 8080, 8080, 'grpc', 'grpc', 'hipstershop.RecommendationService', 3.5, 0.6, 0.001),
  w('adservice', 1, `${OB}/adservice:v0.10.2`, 9555, 9555, 'grpc', 'grpc', 'hipstershop.AdService', 1.5, 0.7, 0.002),
  w('loadgenerator', 1, `${OB}/loadgenerator:v0.10.2`, undefined, undefined, undefined, 'none', undefined, 0, 0, 0),
  // Someone's debugging pod, left running: it keeps probing services it has no
  // business talking to, which the NetworkPolicies below deny.
  w('toolbox', 1, 'nicolaka/netshoot:v0.13', undefined, undefined, undefined, 'none', undefined, 0, 0, 0),
  {
    name: 'coredns',
    scope: 'system',
    replicas: 2,
    image: 'registry.k8s.io/coredns/coredns:v1.11.3',
    containerPort: 53,
    servicePort: 53,
    servicePortName: 'dns',
    protocol: 'dns',
    latency: { medianMs: 0.35, sigma: 0.6 },
    errorRate: 0,
    selectorKey: 'k8s-app',
    selectorValue: 'kube-dns',
    serviceAccount: 'coredns',
  },
];

function w(
  name: string,
  replicas: number,
  image: string,
  containerPort: number | undefined,
  servicePort: number | undefined,
  servicePortName: string | undefined,
  protocol: ServerProtocol,
  grpcService: string | undefined,
  medianMs: number,
  sigma: number,
  errorRate: number,
): WorkloadSpec {
  return {
    name,
    scope: 'app',
    replicas,
    image,
    containerPort,
    servicePort,
    servicePortName,
    protocol,
    grpcService,
    latency: { medianMs, sigma },
    errorRate,
    selectorKey: 'app',
    selectorValue: name,
    serviceAccount: name,
  };
}

/** The Service name kube-dns is published under (its pods are `coredns-*`). */
export const DNS_SERVICE = 'kube-dns';
export const DNS_CLUSTER_IP = '10.96.0.10';
export const DNS_TTL_SECONDS = 30;

/** Per-service change after the "bad deploy": the simulator applies it from the slowdown time on. */
export const SLOWDOWN = {
  service: 'productcatalogservice',
  /** Median x3.5 and a fatter tail: p95 rises about five-fold. */
  medianFactor: 3.5,
  sigma: 0.75,
  extraErrorRate: 0.004,
} as const;

/** The paths NetworkPolicies deny, and who keeps trying them anyway. */
export const DENIED_ATTEMPTS = [
  { from: 'toolbox', to: 'paymentservice' },
  { from: 'toolbox', to: 'redis-cart' },
] as const;

/** NetworkPolicies in the application namespace: ingress to `target` only from `allowFrom`. */
export const POLICIES = [
  { name: 'paymentservice-ingress', target: 'paymentservice', allowFrom: 'checkoutservice' },
  { name: 'redis-cart-ingress', target: 'redis-cart', allowFrom: 'cartservice' },
] as const;

// ---- kubelet probes -----------------------------------------------------------

/**
 * How the kubelet probes each workload, as in Online Boutique's manifests: HTTP
 * GET /_healthz on frontend, native gRPC health checks on the gRPC services, a
 * TCP connect on redis-cart. The probes come from the node's own address.
 */
export type ProbeKind = 'http' | 'grpc' | 'tcp';

export function probeKind(wl: WorkloadSpec): ProbeKind | undefined {
  if (wl.scope !== 'app' || wl.containerPort === undefined) return undefined;
  switch (wl.protocol) {
    case 'http':
      return 'http';
    case 'grpc':
      return 'grpc';
    case 'redis':
      return 'tcp';
    default:
      return undefined;
  }
}

export const PROBE_PATH = { http: '/_healthz', grpc: '/grpc.health.v1.Health/Check' } as const;
/** Readiness plus liveness, each every 10 s. */
export const PROBES_PER_POD_PER_SECOND = 2 / 10;

// ---- clients ----------------------------------------------------------------

function headers(hs: { key: string; value: string }[]): readonly Readonly<{ key: string; value: string }>[] {
  return Object.freeze(hs.map((h) => Object.freeze(h)));
}

/** What each caller's HTTP client sends besides the per-request id (Envoy's x-request-id), sorted by key. */
const GRPC_GO = headers([
  { key: 'content-type', value: 'application/grpc' },
  { key: 'grpc-accept-encoding', value: 'gzip' },
  { key: 'te', value: 'trailers' },
  { key: 'user-agent', value: 'grpc-go/1.67.1' },
]);
export const PROBE_HEADERS: Readonly<Record<'http' | 'grpc', readonly { key: string; value: string }[]>> = {
  http: headers([
    { key: 'accept', value: '*/*' },
    { key: 'connection', value: 'close' },
    { key: 'cookie', value: 'shop_session-id=x-readiness-probe' },
    { key: 'user-agent', value: 'kube-probe/1.31' },
  ]),
  grpc: headers([
    { key: 'content-type', value: 'application/grpc' },
    { key: 'te', value: 'trailers' },
    { key: 'user-agent', value: 'kube-probe/1.31 grpc-go/1.65.0' },
  ]),
};

export const CLIENT_HEADERS: Readonly<Record<string, readonly { key: string; value: string }[]>> = {
  loadgenerator: headers([
    { key: 'accept', value: '*/*' },
    { key: 'accept-encoding', value: 'gzip, deflate' },
    { key: 'connection', value: 'keep-alive' },
    { key: 'user-agent', value: 'python-requests/2.32.3' },
  ]),
  frontend: GRPC_GO,
  checkoutservice: GRPC_GO,
  recommendationservice: headers([
    { key: 'content-type', value: 'application/grpc' },
    { key: 'grpc-accept-encoding', value: 'identity,deflate,gzip' },
    { key: 'te', value: 'trailers' },
    { key: 'user-agent', value: 'grpc-python/1.66.2 grpc-c/43.0.0 (linux; chttp2)' },
  ]),
};

// ---- the call graph -------------------------------------------------------

/** One request in a call tree. `method` is the gRPC method, or the HTTP path for frontend. */
export interface Call {
  service: string;
  method: string;
  /** HTTP method for HTTP/1.1 calls (gRPC is always POST). */
  httpMethod?: 'GET' | 'POST';
  /** HTTP status of a successful response (302 for the frontend's redirects). */
  okCode?: number;
  /** Callees, called one after another, as the real handlers do. */
  children: Call[];
  /** A failing callee fails this call too (frontend ignores ad errors). */
  critical?: boolean;
}

export const PRODUCT_IDS = [
  'OLJCESPC7Z', '66VCHSJNUP', '1YMWWN1N4O', 'L9ECAV7KIM', '2ZYFJ3GM2N',
  '0PUK6V6EV0', 'LS4PSXUNUM', '9SIQT8TOJO', '6E92ZMYYFZ',
] as const;

export const CURRENCIES = ['EUR', 'USD', 'JPY', 'CAD', 'GBP', 'TRY'] as const;

function grpc(service: string, method: string, children: Call[] = [], critical = true): Call {
  return { service, method, children, critical };
}

function redis(ops: number): Call[] {
  const calls: Call[] = [];
  for (let i = 0; i < ops; i++) calls.push({ service: 'redis-cart', method: 'redis', children: [], critical: true });
  return calls;
}

const getCart = (): Call => grpc('cartservice', 'GetCart', redis(1));
const addItem = (): Call => grpc('cartservice', 'AddItem', redis(2));
const emptyCart = (): Call => grpc('cartservice', 'EmptyCart', redis(1));
const getProduct = (): Call => grpc('productcatalogservice', 'GetProduct');
const listProducts = (): Call => grpc('productcatalogservice', 'ListProducts');
const convert = (): Call => grpc('currencyservice', 'Convert');
const currencies = (): Call => grpc('currencyservice', 'GetSupportedCurrencies');
const recommendations = (): Call[] => [
  grpc('recommendationservice', 'ListRecommendations', [listProducts()]),
  // The frontend then looks up each recommended product itself.
  getProduct(), getProduct(), getProduct(), getProduct(),
];
const ad = (): Call => grpc('adservice', 'GetAds', [], false);

function page(method: 'GET' | 'POST', path: string, okCode: number, children: Call[]): Call {
  return { service: 'frontend', method: path, httpMethod: method, okCode, children, critical: true };
}

/** Locust's task weights in loadgenerator's locustfile.py. */
const JOURNEYS: { weight: number; build: (rng: Rng) => Call }[] = [
  {
    weight: 1,
    build: () => page('GET', '/', 200, [currencies(), listProducts(), getCart(), ...PRODUCT_IDS.map(() => convert()), ad()]),
  },
  {
    weight: 2,
    build: () => page('POST', '/setCurrency', 302, []),
  },
  {
    weight: 10,
    build: (rng) =>
      page('GET', `/product/${rng.pick(PRODUCT_IDS)}`, 200, [
        getProduct(), currencies(), getCart(), convert(), ...recommendations(), ad(),
      ]),
  },
  {
    weight: 2,
    build: () => page('POST', '/cart', 302, [getProduct(), addItem()]),
  },
  {
    weight: 3,
    build: (rng) => {
      const items = rng.range(0, 3);
      const perItem: Call[] = [];
      for (let i = 0; i < items; i++) perItem.push(getProduct(), convert());
      return page('GET', '/cart', 200, [
        currencies(), getCart(), ...recommendations(),
        grpc('shippingservice', 'GetQuote'), convert(), ...perItem,
      ]);
    },
  },
  {
    weight: 1,
    build: (rng) => {
      const items = rng.range(1, 3);
      const perItem: Call[] = [];
      for (let i = 0; i < items; i++) perItem.push(getProduct(), convert());
      const placeOrder = grpc('checkoutservice', 'PlaceOrder', [
        getCart(), ...perItem,
        grpc('shippingservice', 'GetQuote'), convert(),
        grpc('paymentservice', 'Charge'),
        grpc('shippingservice', 'ShipOrder'),
        emptyCart(),
        grpc('emailservice', 'SendOrderConfirmation', [], false),
      ]);
      return page('POST', '/cart/checkout', 200, [placeOrder, ...recommendations(), currencies()]);
    },
  },
];

const JOURNEY_WEIGHTS = JOURNEYS.map((j) => j.weight);

/** One simulated user request from loadgenerator to frontend, with its whole call tree. */
export function nextJourney(rng: Rng): Call {
  return JOURNEYS[rng.weighted(JOURNEY_WEIGHTS)].build(rng);
}

/**
 * Online Boutique's call graph: every caller -> callee edge its code has (the
 * denied toolbox attempts and DNS lookups are not part of the application).
 */
export const CALL_GRAPH: readonly (readonly [string, string])[] = [
  ['loadgenerator', 'frontend'],
  ['frontend', 'productcatalogservice'],
  ['frontend', 'currencyservice'],
  ['frontend', 'cartservice'],
  ['frontend', 'recommendationservice'],
  ['frontend', 'shippingservice'],
  ['frontend', 'checkoutservice'],
  ['frontend', 'adservice'],
  ['checkoutservice', 'productcatalogservice'],
  ['checkoutservice', 'shippingservice'],
  ['checkoutservice', 'currencyservice'],
  ['checkoutservice', 'cartservice'],
  ['checkoutservice', 'paymentservice'],
  ['checkoutservice', 'emailservice'],
  ['recommendationservice', 'productcatalogservice'],
  ['cartservice', 'redis-cart'],
];
