-------------------------------- MODULE Paxos --------------------------------
(***************************************************************************)
(* Single-decree Paxos, the algorithm of Lamport's Paxos.tla, as this      *)
(* project implements it: no leader, any number of competing proposers,    *)
(* and acceptors that never forget a promise or a vote.                    *)
(*                                                                         *)
(* The four actions are named after the wire messages that carry them:     *)
(*                                                                         *)
(*    Prepare     sends a prepare      (phase 1a)                          *)
(*    PrepareAck  sends a prepare_ack  (phase 1b, a promise)               *)
(*    Accept      sends an accept      (phase 2a)                          *)
(*    AcceptAck   sends an accept_ack  (phase 2b, a vote)                  *)
(*                                                                         *)
(* Messages keep the paper's type tags "1a", "1b", "2a", "2b".  The        *)
(* variable msgs is the set of every message ever sent: nothing is         *)
(* removed, so a lost message is one never received and a duplicate is     *)
(* one received twice.  Safety needs nothing more.                         *)
(*                                                                         *)
(* A ballot here is a proposal number minus one: the implementation's      *)
(* numbers start at 1, the paper's ballots at 0, and -1 stands for "no     *)
(* ballot yet".                                                            *)
(***************************************************************************)
EXTENDS Integers

CONSTANTS Acceptors,  \* the acceptors, one per peer that holds an acceptor role
          Values,     \* the values a proposer may propose
          Quorums,    \* sets of acceptors whose answers suffice
          MaxBallot,  \* the highest ballot, to keep the model finite
          None        \* "no value": not in Values

ASSUME QuorumAssumption ==
         /\ \A Q \in Quorums : Q \subseteq Acceptors
         /\ \A Q1, Q2 \in Quorums : Q1 \cap Q2 # {}

ASSUME BallotAssumption == MaxBallot \in Nat

ASSUME NoneAssumption == None \notin Values

Ballots == 0..MaxBallot

Messages ==
       [type : {"1a"}, bal : Ballots]
  \cup [type : {"1b"}, acc : Acceptors, bal : Ballots,
        mbal : Ballots \cup {-1}, mval : Values \cup {None}]
  \cup [type : {"2a"}, bal : Ballots, val : Values]
  \cup [type : {"2b"}, acc : Acceptors, bal : Ballots, val : Values]
-----------------------------------------------------------------------------
VARIABLES maxBal,   \* maxBal[a]: the highest ballot a has promised or voted in
          maxVBal,  \* <<maxVBal[a], maxVal[a]>>: a's vote with the highest
          maxVal,   \*   ballot, or <<-1, None>> before a votes at all
          msgs      \* every message sent so far

vars == <<maxBal, maxVBal, maxVal, msgs>>

TypeOK == /\ maxBal \in [Acceptors -> Ballots \cup {-1}]
          /\ maxVBal \in [Acceptors -> Ballots \cup {-1}]
          /\ maxVal \in [Acceptors -> Values \cup {None}]
          /\ msgs \subseteq Messages

Init == /\ maxBal = [a \in Acceptors |-> -1]
        /\ maxVBal = [a \in Acceptors |-> -1]
        /\ maxVal = [a \in Acceptors |-> None]
        /\ msgs = {}

Send(m) == msgs' = msgs \cup {m}
-----------------------------------------------------------------------------
(***************************************************************************)
(* The proposer of ballot b asks every acceptor to promise b.              *)
(***************************************************************************)
Prepare(b) == /\ Send([type |-> "1a", bal |-> b])
              /\ UNCHANGED <<maxBal, maxVBal, maxVal>>

(***************************************************************************)
(* Acceptor a answers a prepare for a ballot above every ballot it has     *)
(* promised: it promises that ballot and reports its latest vote, so the   *)
(* proposer can tell which value may already be chosen.                    *)
(***************************************************************************)
PrepareAck(a) ==
  /\ \E m \in msgs :
        /\ m.type = "1a"
        /\ m.bal > maxBal[a]
        /\ maxBal' = [maxBal EXCEPT ![a] = m.bal]
        /\ Send([type |-> "1b", acc |-> a, bal |-> m.bal,
                 mbal |-> maxVBal[a], mval |-> maxVal[a]])
  /\ UNCHANGED <<maxVBal, maxVal>>

(***************************************************************************)
(* ShowsSafe(Q, b, v): every acceptor of Q has promised b, and either none *)
(* of them has voted, or v is the value of the highest vote they report.   *)
(* Then no ballot below b can choose a value other than v.                 *)
(***************************************************************************)
ShowsSafe(Q, b, v) ==
  LET promises == {m \in msgs : /\ m.type = "1b"
                                /\ m.acc \in Q
                                /\ m.bal = b}
      votes    == {m \in promises : m.mbal >= 0}
  IN  /\ \A a \in Q : \E m \in promises : m.acc = a
      /\ \/ votes = {}
         \/ \E m \in votes : /\ m.mval = v
                             /\ \A mm \in votes : m.mbal >= mm.mbal

(***************************************************************************)
(* The proposer of ballot b, holding the promises of a quorum, asks the    *)
(* acceptors to vote for v.  It does so at most once per ballot: ballots   *)
(* belong to one proposer each.                                            *)
(***************************************************************************)
Accept(b, v) ==
  /\ ~ \E m \in msgs : m.type = "2a" /\ m.bal = b
  /\ \E Q \in Quorums : ShowsSafe(Q, b, v)
  /\ Send([type |-> "2a", bal |-> b, val |-> v])
  /\ UNCHANGED <<maxBal, maxVBal, maxVal>>

(***************************************************************************)
(* Acceptor a votes as an accept asks unless it has promised a higher      *)
(* ballot; voting also promises the ballot voted in.                       *)
(***************************************************************************)
AcceptAck(a) ==
  \E m \in msgs :
     /\ m.type = "2a"
     /\ m.bal >= maxBal[a]
     /\ maxBal' = [maxBal EXCEPT ![a] = m.bal]
     /\ maxVBal' = [maxVBal EXCEPT ![a] = m.bal]
     /\ maxVal' = [maxVal EXCEPT ![a] = m.val]
     /\ Send([type |-> "2b", acc |-> a, bal |-> m.bal, val |-> m.val])

Next == \/ \E b \in Ballots : \/ Prepare(b)
                              \/ \E v \in Values : Accept(b, v)
        \/ \E a \in Acceptors : \/ PrepareAck(a)
                                \/ AcceptAck(a)

Spec == Init /\ [][Next]_vars
-----------------------------------------------------------------------------
(***************************************************************************)
(* What Paxos promises.  A value is chosen at ballot b when a quorum voted *)
(* for it at b; learners learn exactly the chosen values.                  *)
(***************************************************************************)
VotedFor(a, b, v) == \E m \in msgs : /\ m.type = "2b"
                                     /\ m.acc = a
                                     /\ m.bal = b
                                     /\ m.val = v

ChosenAt(b, v) == \E Q \in Quorums : \A a \in Q : VotedFor(a, b, v)

chosen == {m.val : m \in {n \in msgs : /\ n.type = "2b"
                                       /\ ChosenAt(n.bal, n.val)}}

proposed == {m.val : m \in {n \in msgs : n.type = "2a"}}

(* At most one value is ever chosen. *)
Agreement == \A v, w \in chosen : v = w

(* Only a value that was proposed can be chosen. *)
Validity == chosen \subseteq Values \cap proposed
-----------------------------------------------------------------------------
(***************************************************************************)
(* An inductive invariant, in the style of Lamport's proofs of Paxos: it   *)
(* holds initially, every step of Next keeps it, and it implies Agreement. *)
(*                                                                         *)
(* WontVoteIn(a, b): a has not voted at b and, having promised a higher    *)
(* ballot, never will.  SafeAt(b, v): no ballot below b has chosen or can  *)
(* still choose a value other than v.                                      *)
(***************************************************************************)
WontVoteIn(a, b) == /\ \A v \in Values : ~ VotedFor(a, b, v)
                    /\ maxBal[a] > b

SafeAt(b, v) ==
  \A c \in 0..(b - 1) :
     \E Q \in Quorums : \A a \in Q : VotedFor(a, c, v) \/ WontVoteIn(a, c)

(* What an acceptor holds agrees with the votes it has sent. *)
AccInv ==
  \A a \in Acceptors :
     /\ (maxVal[a] = None) <=> (maxVBal[a] = -1)
     /\ maxVBal[a] <= maxBal[a]
     /\ (maxVBal[a] >= 0) => VotedFor(a, maxVBal[a], maxVal[a])
     /\ \A c \in Ballots : c > maxVBal[a] => ~ \E v \in Values : VotedFor(a, c, v)

(* What a message says was true when it was sent, and stays true. *)
MsgInv ==
  \A m \in msgs :
     /\ (m.type = "1b") =>
           /\ m.bal <= maxBal[m.acc]
           /\ \/ /\ m.mval \in Values
                 /\ m.mbal \in Ballots
                 /\ VotedFor(m.acc, m.mbal, m.mval)
              \/ /\ m.mval = None
                 /\ m.mbal = -1
           /\ \A c \in (m.mbal + 1)..(m.bal - 1) :
                 ~ \E v \in Values : VotedFor(m.acc, c, v)
     /\ (m.type = "2a") =>
           /\ SafeAt(m.bal, m.val)
           /\ \A mm \in msgs : (mm.type = "2a" /\ mm.bal = m.bal) => mm.val = m.val
     /\ (m.type = "2b") =>
           /\ \E mm \in msgs : /\ mm.type = "2a"
                               /\ mm.bal = m.bal
                               /\ mm.val = m.val
           /\ m.bal <= maxVBal[m.acc]

Inv == TypeOK /\ AccInv /\ MsgInv
-----------------------------------------------------------------------------
THEOREM Safety == Spec => [](TypeOK /\ Agreement /\ Validity)

THEOREM Invariance == Spec => []Inv
=============================================================================
