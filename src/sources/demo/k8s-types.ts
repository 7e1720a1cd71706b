// The subset of Kubernetes API object shapes the demo cluster produces, with the
// API's own JSON field names, so consumers can treat them like objects listed
// from a real API server.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  generateName?: string;
}

export interface K8sNamespace {
  apiVersion: 'v1';
  kind: 'Namespace';
  metadata: ObjectMeta;
  spec: { finalizers: string[] };
  status: { phase: 'Active' };
}

export interface NodeAddress {
  type: 'InternalIP' | 'Hostname';
  address: string;
}

export interface K8sNode {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: ObjectMeta;
  spec: { podCIDR: string; podCIDRs: string[]; providerID: string };
  status: {
    addresses: NodeAddress[];
    conditions: { type: string; status: 'True' | 'False'; reason: string; lastTransitionTime: string }[];
    nodeInfo: {
      architecture: string;
      containerRuntimeVersion: string;
      kernelVersion: string;
      kubeletVersion: string;
      operatingSystem: string;
      osImage: string;
    };
  };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: 'TCP' | 'UDP';
}

export interface Container {
  name: string;
  image: string;
  ports?: ContainerPort[];
}

export interface PodCondition {
  type: 'PodScheduled' | 'Initialized' | 'ContainersReady' | 'Ready';
  status: 'True' | 'False';
  lastTransitionTime: string;
}

export interface K8sPod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: ObjectMeta;
  spec: { nodeName: string; serviceAccountName: string; containers: Container[] };
  status: {
    phase: 'Running' | 'Pending' | 'Succeeded' | 'Failed';
    podIP: string;
    podIPs: { ip: string }[];
    hostIP: string;
    hostIPs: { ip: string }[];
    startTime: string;
    conditions: PodCondition[];
    containerStatuses: {
      name: string;
      ready: boolean;
      restartCount: number;
      image: string;
      containerID: string;
      started: boolean;
      state: { running: { startedAt: string } };
    }[];
  };
}

export interface ServicePort {
  name: string;
  port: number;
  targetPort: number;
  protocol: 'TCP' | 'UDP';
  appProtocol?: string;
}

export interface K8sService {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    type: 'ClusterIP' | 'LoadBalancer';
    clusterIP: string;
    clusterIPs: string[];
    selector: Record<string, string>;
    ports: ServicePort[];
    ipFamilies: string[];
    sessionAffinity: 'None';
  };
  status: { loadBalancer: Record<string, never> };
}

export interface K8sEndpointSlice {
  apiVersion: 'discovery.k8s.io/v1';
  kind: 'EndpointSlice';
  metadata: ObjectMeta;
  addressType: 'IPv4';
  endpoints: {
    addresses: string[];
    conditions: { ready: boolean; serving: boolean; terminating: boolean };
    nodeName: string;
    targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
  }[];
  ports: { name: string; port: number; protocol: 'TCP' | 'UDP' }[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
}

export interface NetworkPolicyPort {
  protocol: 'TCP' | 'UDP';
  port: number;
}

export interface K8sNetworkPolicy {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: ObjectMeta;
  spec: {
    podSelector: LabelSelector;
    policyTypes: ('Ingress' | 'Egress')[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}

export interface K8sDeployment {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMeta;
  spec: { replicas: number; selector: LabelSelector; template: { metadata: { labels: Record<string, string> } } };
  status: { replicas: number; readyReplicas: number; availableReplicas: number; updatedReplicas: number };
}

export interface K8sReplicaSet {
  apiVersion: 'apps/v1';
  kind: 'ReplicaSet';
  metadata: ObjectMeta;
  spec: { replicas: number; selector: LabelSelector };
  status: { replicas: number; readyReplicas: number; availableReplicas: number };
}

/** Everything the demo cluster holds, grouped by kind, as a real API server would list it. */
export interface DemoClusterObjects {
  namespaces: K8sNamespace[];
  nodes: K8sNode[];
  pods: K8sPod[];
  services: K8sService[];
  endpointSlices: K8sEndpointSlice[];
  networkPolicies: K8sNetworkPolicy[];
  deployments: K8sDeployment[];
  replicaSets: K8sReplicaSet[];
}
