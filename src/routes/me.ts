import { Hono } from "hono";
import type { AppEnv } from "../auth/context";
import { requireRep } from "../auth/middleware";
import { loadCustomer } from "../db/customers";
import { customerView } from "./customer-view";
import { numbersOfRep } from "../db/phone-numbers";
import { publicRep } from "../db/reps";

export const meRoutes = new Hono<AppEnv>().get("/", requireRep, async (c) => {
  const { rep, scopes } = c.get("rep");
  const customer = await loadCustomer(c.env.DB, rep.customer_id);
  return c.json({
    rep: publicRep(rep, await numbersOfRep(c.env.DB, rep.customer_id, rep.id)),
    scopes: [...scopes],
    customer: await customerView(c.env.DB, customer),
  });
});
