#include "healthreach/geo/graph_io.hpp"

#include "healthreach/geo/atomic_output.hpp"
#include "healthreach/geo/crs.hpp"
#include "healthreach/error.hpp"
#include "healthreach/geo/gdal.hpp"

#include <cmath>
#include <unordered_map>

namespace healthreach::geo {


void write_network(const network& net, const std::string& path) {
    atomic_output out(path);
    {
        dataset_ptr ds = create_vector("GPKG", out.temp_path());
        ds->StartTransaction();
        OGRLayer& edges = create_layer(*ds, "edges", wkbLineString, &net.srs,
                                       {{"edge_id", OFTInteger64}, {"source", OFTInteger64}, {"target", OFTInteger64},
                                        {"length_m", OFTReal}, {"time_s", OFTReal}, {"reverse_time_s", OFTReal},
                                        {"highway", OFTString}});
        feature_ptr f(OGRFeature::CreateFeature(edges.GetLayerDefn()));
        for (edge_id e = 0; e < net.edge_count(); ++e) {
            f->SetField(0, static_cast<GIntBig>(e));
            f->SetField(1, static_cast<GIntBig>(net.edge_source[e]));
            f->SetField(2, static_cast<GIntBig>(net.edge_target[e]));
            f->SetField(3, net.edge_length_m[e]);
            f->SetField(4, net.edge_time_s[e]);
            f->SetField(5, net.edge_reverse_time_s[e]);
            f->SetField(6, net.classes[net.edge_class[e]].c_str());
            OGRLineString ls;
            const std::size_t b = net.geom_first[e], n = net.geom_first[e + 1] - b;
            ls.setPoints(static_cast<int>(n), &net.geom_x[b], &net.geom_y[b]);
            f->SetGeometry(&ls);
            add_feature(edges, *f);
        }
        OGRLayer& nodes = create_layer(*ds, "nodes", wkbPoint, &net.srs, {{"node_id", OFTInteger64}});
        f.reset(OGRFeature::CreateFeature(nodes.GetLayerDefn()));
        for (node_id v = 0; v < net.node_count(); ++v) {
            f->SetField(0, static_cast<GIntBig>(v));
            OGRPoint p(net.node_x[v], net.node_y[v]);
            f->SetGeometry(&p);
            add_feature(nodes, *f);
        }
        if (ds->CommitTransaction() != OGRERR_NONE)
            throw std::runtime_error(path + ": cannot write: " + gdal_last_error());
    }
    out.commit();
}

network read_network(const std::string& path) {
    dataset_ptr ds = open_vector(path);
    OGRLayer& edges = find_layer(*ds, path, "edges");
    OGRLayer& nodes = find_layer(*ds, path, "nodes");
    auto need = [&](OGRLayer& layer, const char* field) {
        const int i = layer.GetLayerDefn()->GetFieldIndex(field);
        if (i < 0) throw input_error(path + " layer " + layer.GetName() + ": no field '" + field + "'");
        return i;
    };
    network net;
    const OGRSpatialReference* srs = edges.GetSpatialRef();
    if (!srs) throw input_error(path + " layer edges: has no CRS");
    net.srs = traditional(*srs);

    const int i_node = need(nodes, "node_id");
    for (feature_ptr f(nodes.GetNextFeature()); f; f.reset(nodes.GetNextFeature())) {
        const GIntBig id = f->GetFieldAsInteger64(i_node);
        const OGRGeometry* g = f->GetGeometryRef();
        if (id < 0 || id >= GIntBig(invalid_id) || !g || wkbFlatten(g->getGeometryType()) != wkbPoint ||
            !std::isfinite(g->toPoint()->getX()) || !std::isfinite(g->toPoint()->getY()))
            throw input_error(path + " layer nodes: feature " + std::to_string(f->GetFID()) +
                              " has a bad node_id or geometry");
        if (static_cast<std::size_t>(id) >= net.node_x.size()) {
            net.node_x.resize(id + 1, 0.0);
            net.node_y.resize(id + 1, 0.0);
        }
        net.node_x[id] = g->toPoint()->getX();
        net.node_y[id] = g->toPoint()->getY();
    }

    const int i_src = need(edges, "source"), i_tgt = need(edges, "target"), i_len = need(edges, "length_m"),
              i_time = need(edges, "time_s"), i_rev = need(edges, "reverse_time_s");
    const int i_hw = edges.GetLayerDefn()->GetFieldIndex("highway");
    std::unordered_map<std::string, std::uint16_t> class_index;
    for (feature_ptr f(edges.GetNextFeature()); f; f.reset(edges.GetNextFeature())) {
        const GIntBig s = f->GetFieldAsInteger64(i_src), t = f->GetFieldAsInteger64(i_tgt);
        const std::string edge = path + " layer edges: feature " + std::to_string(f->GetFID());
        if (s < 0 || t < 0 || s >= GIntBig(net.node_count()) || t >= GIntBig(net.node_count()))
            throw input_error(edge + " has a source/target outside the nodes layer");
        // A cost that is empty (NaN is stored as NULL), negative or infinite would make Dijkstra's answers wrong.
        for (const int i : {i_len, i_time})
            if (!f->IsFieldSetAndNotNull(i) || !(f->GetFieldAsDouble(i) >= 0) || !std::isfinite(f->GetFieldAsDouble(i)))
                throw input_error(edge + ": " + f->GetFieldDefnRef(i)->GetNameRef() + " is " +
                                  (f->IsFieldSetAndNotNull(i) ? std::string(f->GetFieldAsString(i)) : std::string("empty")) +
                                  "; costs must be finite numbers >= 0");
        const double rev = f->IsFieldSetAndNotNull(i_rev) ? f->GetFieldAsDouble(i_rev) : std::nan("");
        if (!(rev >= 0 || rev == -1) || !std::isfinite(rev))
            throw input_error(edge + ": reverse_time_s is " + f->GetFieldAsString(i_rev) + "; it must be >= 0, or -1 for closed");
        const double len = f->GetFieldAsDouble(i_len);
        const std::string hw = i_hw >= 0 ? f->GetFieldAsString(i_hw) : "";
        auto [it, inserted] = class_index.emplace(hw, static_cast<std::uint16_t>(net.classes.size()));
        if (inserted) net.classes.push_back(hw);
        std::vector<double> xs, ys;
        if (const OGRGeometry* g = f->GetGeometryRef(); g && wkbFlatten(g->getGeometryType()) == wkbLineString) {
            const OGRLineString* ls = g->toLineString();
            for (int i = 0; i < ls->getNumPoints(); ++i) {
                xs.push_back(ls->getX(i));
                ys.push_back(ls->getY(i));
            }
        } else {
            xs = {net.node_x[s], net.node_x[t]};
            ys = {net.node_y[s], net.node_y[t]};
        }
        net.add_edge(static_cast<node_id>(s), static_cast<node_id>(t), len, f->GetFieldAsDouble(i_time), rev, it->second, xs.data(), ys.data(),
                     xs.size());
    }
    return net;
}

}  // namespace healthreach::geo
