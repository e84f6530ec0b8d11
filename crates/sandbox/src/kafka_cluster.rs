//! A multi-node Apache Kafka cluster on loopback for the test tier that loses a broker: every node
//! a broker and a controller of one static quorum (`controller.quorum.voters`), internal topics
//! and new topics at replication 3 with `min.insync.replicas` 2, the same SASL listeners, SCRAM
//! admin and `StandardAuthorizer` as the sandbox's single node. Nodes can be killed (SIGKILL) and
//! started again on the same ports and storage.

use std::path::{Path, PathBuf};

use anyhow::Context;
use meshdesk_kafka::KafkaProfile;

use crate::access;
use crate::kafka_node::{KafkaInstall, KafkaNode, NodeOptions, Quorum, free_port, new_cluster_id};

/// One node's place in the cluster.
struct Slot {
    id: u32,
    dir: PathBuf,
    client_port: u16,
    node: Option<KafkaNode>,
}

/// A running cluster. Dropping it kills every node.
pub struct KafkaCluster {
    install: KafkaInstall,
    voters: Vec<(u32, u16)>,
    cluster_id: String,
    admin_password: String,
    slots: Vec<Slot>,
}

impl KafkaCluster {
    /// Starts `nodes` nodes under `dir` (`node-1`, `node-2`, ...), formatted with one cluster id
    /// and the sandbox admin's SCRAM credentials; returns once every node answers Metadata. The
    /// nodes start together: a quorum needs a majority before any node is ready.
    pub async fn start(install: &KafkaInstall, dir: &Path, nodes: u32) -> anyhow::Result<Self> {
        anyhow::ensure!((1..=5).contains(&nodes), "a test cluster has 1 to 5 nodes, not {nodes}");
        let mut voters = Vec::new();
        let mut slots = Vec::new();
        for id in 1..=nodes {
            voters.push((id, free_port()?));
            slots.push(Slot { id, dir: dir.join(format!("node-{id}")), client_port: free_port()?, node: None });
        }
        let mut me = Self {
            install: install.clone(),
            voters,
            cluster_id: new_cluster_id(),
            admin_password: access::new_password()?,
            slots,
        };
        let started = futures::future::join_all(me.slots.iter().map(|s| me.launch(s.id, &s.dir, s.client_port))).await;
        for (slot, node) in me.slots.iter_mut().zip(started) {
            slot.node = Some(node.with_context(|| format!("starting node {}", slot.id))?);
        }
        Ok(me)
    }

    async fn launch(&self, id: u32, dir: &Path, client_port: u16) -> anyhow::Result<KafkaNode> {
        let options = NodeOptions {
            quorum: Some(Quorum { node_id: id, voters: self.voters.clone(), cluster_id: self.cluster_id.clone() }),
            ..NodeOptions::default()
        };
        KafkaNode::start_with(&self.install, dir, client_port, access::ADMIN_USER, &self.admin_password, &options).await
    }

    /// Every node's client address, comma-separated (what clients bootstrap from).
    pub fn bootstrap_servers(&self) -> String {
        self.slots.iter().map(|s| format!("127.0.0.1:{}", s.client_port)).collect::<Vec<_>>().join(",")
    }

    /// The admin's profile (the only super user), bootstrapping from every node.
    pub fn admin_profile(&self) -> KafkaProfile {
        access::scram_profile(&self.bootstrap_servers(), access::ADMIN_USER, &self.admin_password)
    }

    /// The admin's password (tests write environment files with it).
    pub fn admin_password(&self) -> &str {
        &self.admin_password
    }

    /// Kills node `id` with SIGKILL: no controlled shutdown, as a crashed machine.
    pub async fn kill(&mut self, id: u32) -> anyhow::Result<()> {
        let slot = self.slots.iter_mut().find(|s| s.id == id).context("no such node")?;
        if let Some(node) = slot.node.take() {
            node.kill().await?;
        }
        Ok(())
    }

    /// Starts node `id` again on its ports and storage; returns once it answers Metadata.
    pub async fn restart(&mut self, id: u32) -> anyhow::Result<()> {
        let (dir, port) = {
            let slot = self.slots.iter().find(|s| s.id == id).context("no such node")?;
            if slot.node.is_some() {
                return Ok(());
            }
            (slot.dir.clone(), slot.client_port)
        };
        let node = self.launch(id, &dir, port).await?;
        if let Some(slot) = self.slots.iter_mut().find(|s| s.id == id) {
            slot.node = Some(node);
        }
        Ok(())
    }

    /// The ids of the nodes running now.
    pub fn running(&self) -> Vec<u32> {
        self.slots.iter().filter(|s| s.node.is_some()).map(|s| s.id).collect()
    }

    /// Stops every node cleanly.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        for slot in &mut self.slots {
            if let Some(node) = slot.node.take() {
                node.stop().await?;
            }
        }
        Ok(())
    }
}
